// Helpers shared by the store tests: a temporary directory and document builders.
// Ownership: TempDir owns its directory and removes it on destruction. Not thread-safe.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <filesystem>
#include <string>

#include "framework/store/object_rules.hpp"
#include "framework/store/sqlite_store.hpp"

namespace maasprov::store::testing {

class TempDir {
 public:
  TempDir() : path_(Poco::TemporaryFile::tempName()) { std::filesystem::create_directories(path_); }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A MaasMachine-like document; `extraJson` is spliced into the top level (e.g. `"spec":{...}`).
inline Document machine(const std::string& ns, const std::string& name,
                        const std::string& extraJson = R"("spec":{"provisioningMode":"lxd"})") {
  return rules::parse(
      R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",)"
      R"("metadata":{"name":")" +
      name + R"(","namespace":")" + ns + R"("})" + (extraJson.empty() ? "" : "," + extraJson) +
      "}");
}

inline std::string meta(const Document& object, const std::string& field) {
  const auto metadata = object->getObject("metadata");
  return metadata->has(field) ? metadata->get(field).toString() : std::string();
}

// Sets metadata.<field> to the JSON value `json`.
inline void setMeta(const Document& object, const std::string& field, const std::string& json) {
  object->getObject("metadata")->set(field, rules::parse(R"({"v":)" + json + "}")->get("v"));
}

inline ObjectKey keyOf(const Document& object) {
  return rules::validate(object);
}

}  // namespace maasprov::store::testing
