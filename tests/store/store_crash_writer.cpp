// Test helper: writes to a store as fast as it can and prints one line per acknowledged write
// ("created <name> <resourceVersion>" / "status <name> <resourceVersion>"), until it is killed.
// With THREADS, that many threads write at once (their writes share commits).
// Usage: store_crash_writer DB_PATH PREFIX [THREADS]
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "framework/store/object_rules.hpp"
#include "framework/store/sqlite_store.hpp"

namespace {

using namespace maasprov::store;

std::mutex outputMutex;  // one acknowledgement line at a time

void acknowledge(const char* what, const std::string& name, const Document& object) {
  std::lock_guard guard(outputMutex);
  std::printf("%s %s %s\n", what, name.c_str(),
              object->getObject("metadata")->getValue<std::string>("resourceVersion").c_str());
  std::fflush(stdout);  // the line is the acknowledgement: it must leave before the next write
}

void writeForever(SqliteStore& store, const std::string& prefix) {
  for (long i = 0;; ++i) {
    const std::string name = prefix + std::to_string(i);
    auto object = store.create(rules::parse(
        R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",)"
        R"("metadata":{"name":")" +
        name + R"(","namespace":"crash"},"spec":{"index":)" + std::to_string(i) + "}}"));
    acknowledge("created", name, object);
    object->set("status", rules::parse(R"({"step":)" + std::to_string(i) + "}"));
    object = store.updateStatus(object);
    acknowledge("status", name, object);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: store_crash_writer DB_PATH PREFIX [THREADS]\n");
    return 2;
  }
  const int threads = argc == 4 ? std::atoi(argv[3]) : 1;
  try {
    SqliteStore store({.path = argv[1]});
    if (threads <= 1) writeForever(store, argv[2]);
    // Concurrent writers share commits: each thread writes objects of its own.
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t) {
      writers.emplace_back([&store, prefix = std::string(argv[2]) + std::to_string(t) + "-"] {
        try {
          writeForever(store, prefix);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "store_crash_writer: %s\n", e.what());
          std::_Exit(1);
        }
      });
    }
    for (auto& writer : writers) writer.join();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "store_crash_writer: %s\n", e.what());
    return 1;
  }
}
