// The loader against real shared objects: every negative fixture is refused with the documented
// reason, and a good plugin negotiates and describes itself.
#include <gtest/gtest.h>

#include <fstream>

#include "framework/plugin/plugin_library.hpp"
#include "test_support.hpp"

namespace maasprov::plugin {
namespace {

using test::fixture;

std::string refusal(const std::string& name, const LoadOptions& options = {}) {
  try {
    PluginLibrary::load(fixture(name), options);
  } catch (const PluginLoadError& e) {
    EXPECT_EQ(e.file(), fixture(name).string());
    return e.reason();
  }
  ADD_FAILURE() << name << " loaded although it should have been refused";
  return {};
}

TEST(Loader, LoadsAGoodPluginAndReadsItsDescriptor) {
  auto lib = PluginLibrary::load(fixture("fixture_good"));
  EXPECT_EQ(lib->name(), "good");
  EXPECT_EQ(lib->version(), "2.0.0");
  EXPECT_EQ(lib->kind(), Kind::MachineProvisioner);
  EXPECT_EQ(lib->modes(), (std::vector<std::string>{"good-a", "good-b"}));
  EXPECT_EQ(lib->abiVersion(), MAASPROV_ABI_VERSION_2);  // the newest both speak
  EXPECT_TRUE(lib->hasDescribe());
}

TEST(Loader, EndpointProviderNeedsNoModes) {
  auto lib = PluginLibrary::load(fixture("fixture_endpoint_a"));
  EXPECT_EQ(lib->kind(), Kind::ClusterEndpointProvider);
  EXPECT_TRUE(lib->modes().empty());
}

TEST(Loader, MissingFileIsNamedWithTheSystemReason) {
  auto reason = refusal("does_not_exist");
  EXPECT_NE(reason.find("cannot be loaded"), std::string::npos) << reason;
}

TEST(Loader, NotASharedObjectIsRefused) {
  test::TempDir dir;
  auto path = dir.path() / "text.so";
  std::ofstream(path) << "not an ELF file";
  try {
    PluginLibrary::load(path);
    FAIL() << "a text file loaded";
  } catch (const PluginLoadError& e) {
    EXPECT_NE(e.reason().find("cannot be loaded"), std::string::npos) << e.reason();
  }
}

TEST(Loader, NoEntrySymbol) {
  auto reason = refusal("fixture_no_entry");
  EXPECT_NE(reason.find("no entry symbol"), std::string::npos) << reason;
  EXPECT_NE(reason.find("maasprov_plugin_entry"), std::string::npos) << reason;
}

TEST(Loader, RefusedVersionCarriesThePluginsReason) {
  auto reason = refusal("fixture_refuses_version");
  EXPECT_NE(reason.find("refused ABI version"), std::string::npos) << reason;
  EXPECT_NE(reason.find("needs ABI version 7"), std::string::npos) << reason;
}

TEST(Loader, AGoodPluginRefusesARangeItDoesNotSpeak) {
  LoadOptions future;
  future.minVersion = 3;
  future.maxVersion = 4;
  auto reason = refusal("fixture_good", future);
  EXPECT_NE(reason.find("refused ABI version: host offers [3, 4]"), std::string::npos) << reason;
  EXPECT_NE(reason.find("speaks ABI versions 1 and 2"), std::string::npos) << reason;
}

TEST(Loader, AnSdkPluginSpeaksVersion1ToAHostThatOffersNoMore) {
  LoadOptions old;
  old.minVersion = MAASPROV_ABI_VERSION_1;
  old.maxVersion = MAASPROV_ABI_VERSION_1;
  EXPECT_EQ(PluginLibrary::load(fixture("fixture_good"), old)->abiVersion(),
            MAASPROV_ABI_VERSION_1);
}

TEST(Loader, NullDescriptor) {
  auto reason = refusal("fixture_null_descriptor");
  EXPECT_NE(reason.find("NULL descriptor"), std::string::npos) << reason;
}

TEST(Loader, UndersizedDescriptor) {
  auto reason = refusal("fixture_undersized");
  EXPECT_NE(reason.find("struct_size 16 is smaller"), std::string::npos) << reason;
}

TEST(Loader, MissingRequiredFunction) {
  auto reason = refusal("fixture_missing_function");
  EXPECT_NE(reason.find("missing required function(s): reconcile"), std::string::npos) << reason;
}

TEST(Loader, InitError) {
  auto reason = refusal("fixture_init_error");
  EXPECT_NE(reason.find("initialisation failed: cannot read /etc/maasprov/fixture.conf"),
            std::string::npos)
      << reason;
}

TEST(Loader, LoadingTwiceSharesTheCodeAndBothWork) {
  auto a = PluginLibrary::load(fixture("fixture_good"));
  auto b = PluginLibrary::load(fixture("fixture_good"));
  EXPECT_EQ(&a->descriptor(), &b->descriptor());  // same mapping, one copy of the code
  a.reset();
  EXPECT_EQ(b->name(), "good");  // dropping one handle leaves the other usable
}

}  // namespace
}  // namespace maasprov::plugin
