// Shared helpers for the plugin tests: fixture paths, temporary directories, a MAAS transport
// that records requests in-process, and parsing helpers.
//
// Ownership: TempDir removes its directory when destroyed. Thread-safety: RecordingMaas is safe
// to call concurrently; the rest is for one test thread.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "framework/maas/transport.hpp"

namespace maasprov::plugin::test {

inline std::filesystem::path fixture(const std::string& name) {
  return std::filesystem::path(MAASPROV_TEST_FIXTURE_DIR) / (name + ".so");
}

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("maasprov-plugin-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
    std::filesystem::permissions(path_, std::filesystem::perms(0755));
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Copies fixture `name` into the directory (mode 0755) and returns the copy's path.
  std::filesystem::path add(const std::string& name) const {
    auto to = path_ / (name + ".so");
    std::filesystem::copy_file(fixture(name), to,
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::permissions(to, std::filesystem::perms(0755));
    return to;
  }

 private:
  std::filesystem::path path_;
};

// Answers every request with `response` and remembers the requests (an in-process MAAS).
class RecordingMaas : public maas::Transport {
 public:
  maas::Response response;
  bool failTransport = false;

  maas::Response send(const maas::Request& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(request);
    if (failTransport) throw maas::TransportError("connection refused");
    return response;
  }
  std::vector<maas::Request> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<maas::Request> requests_;
};

inline Poco::JSON::Object::Ptr parseObject(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

inline const char* kMachineRequest = R"({
  "object": {"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1", "kind": "MaasMachine",
             "metadata": {"name": "m0", "namespace": "ns", "uid": "uid-0"},
             "spec": {"minCPU": 2, "minMemory": 4096, "tags": ["a", "b"]}, "status": {}},
  "cluster": {"metadata": {"name": "c"}},
  "userData": "I2Nsb3VkLWNvbmZpZwo=",
  "machines": [{"metadata": {"name": "m1"}}]})";

}  // namespace maasprov::plugin::test
