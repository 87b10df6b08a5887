// The manifests shipped with the project: every example is valid and describes the demo cluster,
// and every file in tests/model/invalid/ fails with exactly the errors its `# expect:` lines
// state (decode errors as what(), validation errors as `path: message`, in order).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "framework/model/decode.hpp"
#include "framework/model/defaults.hpp"
#include "framework/model/validation.hpp"

namespace maasprov::model {
namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir = MAASPROV_SOURCE_DIR;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<fs::path> filesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto ext = entry.path().extension();
    // maas-inventory.yaml is the simulator's inventory, not a manifest.
    if (entry.path().filename() == "maas-inventory.yaml") continue;
    if (ext == ".yaml" || ext == ".yml" || ext == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<Object> loadValid(const fs::path& file) {
  const std::string source = fs::relative(file, kSourceDir).string();
  auto objects = decodeDocuments(readFile(file), source);
  for (auto& object : objects) {
    applyDefaults(object);
    const auto errors = validate(object);
    EXPECT_TRUE(errors.empty()) << source << ": " << metadataOf(object).name << ":\n"
                                << joinErrors(errors);
  }
  return objects;
}

TEST(Examples, EveryExampleIsValid) {
  const auto files = filesIn(kSourceDir / "examples");
  ASSERT_FALSE(files.empty());
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    EXPECT_FALSE(loadValid(file).empty());
  }
}

TEST(Examples, ClusterHasThreeLxdControlPlanesAndTwoBareMetalWorkers) {
  const auto objects = loadValid(kSourceDir / "examples" / "cluster.yaml");
  std::set<std::string> secrets;
  std::vector<MaasMachine> machines;
  const MaasCluster* cluster = nullptr;
  for (const auto& object : objects) {
    if (const auto* s = std::get_if<Secret>(&object)) secrets.insert(s->metadata.name);
    if (const auto* m = std::get_if<MaasMachine>(&object)) machines.push_back(*m);
    if (const auto* c = std::get_if<MaasCluster>(&object)) cluster = c;
  }
  ASSERT_NE(cluster, nullptr);
  EXPECT_EQ(cluster->metadata.name, "demo");
  EXPECT_EQ(cluster->metadata.namespace_, "default");
  std::set<std::string> controlPlaneZones;
  int workers = 0;
  for (const auto& m : machines) {
    SCOPED_TRACE(m.metadata.name);
    EXPECT_EQ(m.metadata.namespace_, "default");
    EXPECT_EQ(m.metadata.labels.at(std::string(kClusterNameLabel)), "demo");
    ASSERT_TRUE(m.spec.bootstrapDataSecretName);
    EXPECT_EQ(secrets.count(*m.spec.bootstrapDataSecretName), 1u) << "bootstrap Secret exists";
    EXPECT_EQ(m.spec.image, "ubuntu/jammy");
    EXPECT_EQ(m.spec.resourcePool, "default");
    if (m.metadata.labels.count(std::string(kControlPlaneLabel)) != 0) {
      EXPECT_EQ(m.spec.provisioningMode, ProvisioningMode::Lxd);
      ASSERT_TRUE(m.spec.failureDomain);
      controlPlaneZones.insert(*m.spec.failureDomain);
    } else {
      EXPECT_EQ(m.spec.provisioningMode, ProvisioningMode::BareMetal);
      ++workers;
    }
  }
  EXPECT_EQ(controlPlaneZones, (std::set<std::string>{"zone-a", "zone-b", "zone-c"}));
  EXPECT_EQ(machines.size(), 5u);
  EXPECT_EQ(workers, 2);
}

// The errors a manifest produces, as the user would see them.
std::vector<std::string> actualErrors(const std::string& text) {
  std::vector<Object> objects;
  try {
    objects = decodeDocuments(text);
  } catch (const DecodeError& e) {
    return {e.what()};
  }
  std::vector<std::string> lines;
  for (auto& object : objects) {
    applyDefaults(object);
    for (const auto& e : validate(object)) lines.push_back(e.str());
  }
  return lines;
}

std::vector<std::string> expectedErrors(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  const std::string marker = "# expect: ";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(marker, 0) == 0) lines.push_back(line.substr(marker.size()));
  }
  return lines;
}

class InvalidManifest : public ::testing::TestWithParam<fs::path> {};

TEST_P(InvalidManifest, FailsWithTheExpectedErrors) {
  const std::string text = readFile(GetParam());
  const auto expected = expectedErrors(text);
  ASSERT_FALSE(expected.empty()) << GetParam() << " has no '# expect: ' line";
  EXPECT_EQ(actualErrors(text), expected);
}

INSTANTIATE_TEST_SUITE_P(Files, InvalidManifest,
                         ::testing::ValuesIn(filesIn(kSourceDir / "tests" / "model" / "invalid")),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           std::string name = info.param.stem().string();
                           std::replace_if(
                               name.begin(), name.end(), [](char c) { return !std::isalnum(c); },
                               '_');
                           return name;
                         });

}  // namespace
}  // namespace maasprov::model
