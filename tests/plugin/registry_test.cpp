// Discovery and the registry over real directories of real plugin files: permission checks,
// refusals that do not stop other plugins, mode routing and conflict resolution.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "framework/plugin/plugin_registry.hpp"
#include "test_support.hpp"

namespace maasprov::plugin {
namespace {

using test::TempDir;

RegistryOptions optionsFor(const TempDir& dir) {
  RegistryOptions o;
  o.discovery.directories = {dir.path()};
  return o;
}

std::string refusalFor(const PluginRegistry& r, const std::string& file) {
  for (const auto& x : r.refused()) {
    if (x.file.filename() == file) return x.reason;
  }
  return "(not refused)";
}

TEST(Registry, LoadsGoodPluginsAndRefusesBadOnesWithAReasonEach) {
  TempDir dir;
  for (auto name : {"fixture_good", "fixture_endpoint_a", "fixture_no_entry",
                    "fixture_null_descriptor", "fixture_init_error", "fixture_create_fails"}) {
    dir.add(name);
  }
  std::ofstream(dir.path() / "README.txt") << "not a plugin, ignored";
  PluginRegistry registry(optionsFor(dir), nullptr);
  registry.load();

  auto plugins = registry.plugins();
  ASSERT_EQ(plugins.size(), 2u);
  EXPECT_EQ(plugins[0].name, "endpoint-a");
  EXPECT_EQ(plugins[1].name, "good");
  EXPECT_EQ(plugins[1].serving, (std::vector<std::string>{"good-a", "good-b"}));
  ASSERT_EQ(registry.refused().size(), 4u);
  EXPECT_NE(refusalFor(registry, "fixture_no_entry.so").find("no entry symbol"), std::string::npos);
  EXPECT_NE(refusalFor(registry, "fixture_null_descriptor.so").find("NULL descriptor"),
            std::string::npos);
  EXPECT_NE(refusalFor(registry, "fixture_init_error.so").find("initialisation failed"),
            std::string::npos);
  EXPECT_NE(refusalFor(registry, "fixture_create_fails.so").find("refused to start"),
            std::string::npos);

  auto found = registry.provisionerFor("good-b");
  ASSERT_TRUE(found);
  EXPECT_EQ(found.instance->name(), "good");
  auto endpoint = registry.endpointProvider();
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint.instance->name(), "endpoint-a");
  EXPECT_EQ(registry.instance("endpoint-a"), endpoint.instance);
  EXPECT_EQ(registry.instance("fixture"), nullptr);  // refused plugins have no instance
}

TEST(Registry, AModeNobodyServesIsAClearAnswer) {
  TempDir dir;
  dir.add("fixture_good");
  PluginRegistry registry(optionsFor(dir), nullptr);
  registry.load();
  auto missing = registry.provisionerFor("lxd");
  EXPECT_FALSE(missing);
  EXPECT_EQ(missing.reason, "no plugin serves provisioningMode \"lxd\" (served: good-a, good-b)");
  EXPECT_EQ(registry.endpointProvider().reason, "no cluster endpoint provider plugin is loaded");
}

TEST(Registry, EmptyRegistrySaysNoProvisionerIsLoaded) {
  TempDir dir;
  PluginRegistry registry(optionsFor(dir), nullptr);
  registry.load();
  EXPECT_NE(registry.provisionerFor("bare-metal").reason.find("no machine provisioner is loaded"),
            std::string::npos);
}

TEST(Registry, TwoPluginsClaimingOneModeIsAStartupError) {
  TempDir dir;
  dir.add("fixture_good");
  dir.add("fixture_rival");
  PluginRegistry registry(optionsFor(dir), nullptr);
  try {
    registry.load();
    FAIL() << "conflict not reported";
  } catch (const RegistryError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("provisioningMode \"good-a\" is served by several plugins: 'good'"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("'rival'"), std::string::npos) << m;
    EXPECT_EQ(m.find("good-b"), std::string::npos) << m;  // only the contested mode
  }
}

TEST(Registry, ConfiguredWinnerResolvesTheConflict) {
  TempDir dir;
  dir.add("fixture_good");
  dir.add("fixture_rival");
  auto options = optionsFor(dir);
  options.modeWinners["good-a"] = "rival";
  PluginRegistry registry(options, nullptr);
  registry.load();
  EXPECT_EQ(registry.provisionerFor("good-a").instance->name(), "rival");
  EXPECT_EQ(registry.provisionerFor("good-b").instance->name(), "good");
}

TEST(Registry, AWinnerThatDoesNotClaimTheModeIsAnError) {
  TempDir dir;
  dir.add("fixture_good");
  dir.add("fixture_rival");
  auto options = optionsFor(dir);
  options.modeWinners["good-a"] = "nobody";
  PluginRegistry registry(options, nullptr);
  EXPECT_THROW(registry.load(), RegistryError);
}

TEST(Registry, TwoEndpointProvidersNeedAChoice) {
  TempDir dir;
  dir.add("fixture_endpoint_a");
  dir.add("fixture_endpoint_b");
  {
    PluginRegistry registry(optionsFor(dir), nullptr);
    EXPECT_THROW(registry.load(), RegistryError);
  }
  auto options = optionsFor(dir);
  options.endpointProvider = "endpoint-b";
  PluginRegistry registry(options, nullptr);
  registry.load();
  EXPECT_EQ(registry.endpointProvider().instance->name(), "endpoint-b");
}

TEST(Registry, SamePluginTwiceIsRefusedOnce) {
  TempDir dir;
  dir.add("fixture_good");
  std::filesystem::copy_file(dir.path() / "fixture_good.so", dir.path() / "zz_copy.so");
  PluginRegistry registry(optionsFor(dir), nullptr);
  registry.load();
  EXPECT_EQ(registry.plugins().size(), 1u);
  EXPECT_NE(refusalFor(registry, "zz_copy.so").find("plugin name 'good' is already taken"),
            std::string::npos);
}

TEST(Registry, PluginConfigurationReachesCreate) {
  TempDir dir;
  dir.add("fixture_good");
  auto options = optionsFor(dir);
  options.pluginConfigs["good"] = R"({"zone": "az9"})";
  PluginRegistry registry(options, nullptr);
  registry.load();
  auto out = registry.provisionerFor("good-a").instance->describe();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.document->getObject("config")->getValue<std::string>("zone"), "az9");
}

TEST(Discovery, GroupWritableFileIsRefusedOthersStillLoad) {
  TempDir dir;
  dir.add("fixture_good");
  auto bad = dir.add("fixture_endpoint_a");
  std::filesystem::permissions(bad, std::filesystem::perms(0775));
  PluginRegistry registry(optionsFor(dir), nullptr);
  registry.load();
  EXPECT_EQ(registry.plugins().size(), 1u);
  EXPECT_NE(
      refusalFor(registry, "fixture_endpoint_a.so").find("writable by group or others (mode 0775)"),
      std::string::npos);
}

TEST(Discovery, WorldWritableDirectoryIsRefusedWhole) {
  TempDir dir;
  dir.add("fixture_good");
  std::filesystem::permissions(dir.path(), std::filesystem::perms(0777));
  auto result = discoverPlugins({{dir.path()}, true, {}});
  EXPECT_TRUE(result.files.empty());
  ASSERT_EQ(result.refused.size(), 1u);
  EXPECT_NE(result.refused[0].reason.find("plugin directory writable by group or others"),
            std::string::npos);
}

TEST(Discovery, ChecksCanBeTurnedOffForDevelopment) {
  TempDir dir;
  auto file = dir.add("fixture_good");
  std::filesystem::permissions(file, std::filesystem::perms(0777));
  auto result = discoverPlugins({{dir.path()}, false, {}});
  ASSERT_EQ(result.files.size(), 1u);
  EXPECT_TRUE(result.refused.empty());
}

TEST(Discovery, FileOwnedByAnUntrustedUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
  TempDir dir;
  auto file = dir.add("fixture_good");
  ASSERT_EQ(::chown(file.c_str(), 54321, 54321), 0);
  auto result = discoverPlugins({{dir.path()}, true, {}});
  EXPECT_TRUE(result.files.empty());
  ASSERT_EQ(result.refused.size(), 1u);
  EXPECT_NE(result.refused[0].reason.find("owned by uid 54321"), std::string::npos);
  // Naming that user as trusted (the service user) accepts it.
  auto trusted = discoverPlugins({{dir.path()}, true, {54321}});
  EXPECT_EQ(trusted.files.size(), 1u);
}

TEST(Discovery, SymlinkIntoAWritableDirectoryIsRefused) {
  TempDir dir;
  TempDir elsewhere;
  auto target = elsewhere.add("fixture_good");
  std::filesystem::permissions(elsewhere.path(), std::filesystem::perms(0777));
  std::filesystem::create_symlink(target, dir.path() / "linked.so");
  auto result = discoverPlugins({{dir.path()}, true, {}});
  EXPECT_TRUE(result.files.empty());
  ASSERT_EQ(result.refused.size(), 1u);
  EXPECT_NE(result.refused[0].reason.find("links to a directory that is writable"),
            std::string::npos);
}

TEST(Discovery, MissingDirectoryIsReportedNotFatal) {
  TempDir dir;
  dir.add("fixture_good");
  auto result = discoverPlugins({{dir.path() / "nope", dir.path()}, true, {}});
  EXPECT_EQ(result.files.size(), 1u);
  ASSERT_EQ(result.refused.size(), 1u);
  EXPECT_NE(result.refused[0].reason.find("does not exist"), std::string::npos);
  EXPECT_NE(result.refused[0].reason.find("plugins.directories"), std::string::npos);
}

// A fresh install has no third-party plugins: a missing default directory is no refusal.
TEST(Discovery, MissingDefaultDirectoryIsReportedApartNotRefused) {
  TempDir dir;
  dir.add("fixture_good");
  DiscoveryOptions options{{dir.path() / "default/", dir.path() / "explicit"}, true, {}};
  options.defaultDirectories = {dir.path() / "default"};
  auto result = discoverPlugins(options);
  ASSERT_EQ(result.missingDefaults.size(), 1u);
  EXPECT_EQ(result.missingDefaults[0], dir.path() / "default/");
  ASSERT_EQ(result.refused.size(), 1u);  // the explicitly configured one is still refused
  EXPECT_EQ(result.refused[0].file, dir.path() / "explicit");
  EXPECT_NE(result.refused[0].reason.find("plugins.directories"), std::string::npos);
}

// A default that exists but is not a directory is still refused.
TEST(Discovery, DefaultThatIsAFileIsRefused) {
  TempDir dir;
  auto file = dir.add("fixture_good");
  DiscoveryOptions options{{file}, true, {}};
  options.defaultDirectories = {file};
  auto result = discoverPlugins(options);
  EXPECT_TRUE(result.missingDefaults.empty());
  ASSERT_EQ(result.refused.size(), 1u);
}

TEST(Registry, MissingDefaultDirectoryLoadsTheOthers) {
  TempDir dir;
  dir.add("fixture_good");
  RegistryOptions options;
  options.discovery.directories = {dir.path() / "absent", dir.path()};
  options.discovery.defaultDirectories = {dir.path() / "absent"};
  PluginRegistry registry(options, nullptr);
  registry.load();
  EXPECT_EQ(registry.plugins().size(), 1u);
  EXPECT_TRUE(registry.refused().empty());
}

}  // namespace
}  // namespace maasprov::plugin
