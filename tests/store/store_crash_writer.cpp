// Test helper: writes to a store as fast as it can and prints one line per acknowledged write
// ("created <name> <resourceVersion>" / "status <name> <resourceVersion>"), until it is killed.
// Usage: store_crash_writer DB_PATH PREFIX
#include <cstdio>
#include <exception>
#include <string>

#include "framework/store/object_rules.hpp"
#include "framework/store/sqlite_store.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: store_crash_writer DB_PATH PREFIX\n");
    return 2;
  }
  using namespace maasprov::store;
  try {
    SqliteStore store({.path = argv[1]});
    for (long i = 0;; ++i) {
      const std::string name = std::string(argv[2]) + std::to_string(i);
      auto object = store.create(rules::parse(
          R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",)"
          R"("metadata":{"name":")" +
          name + R"(","namespace":"crash"},"spec":{"index":)" + std::to_string(i) + "}}"));
      std::printf("created %s %s\n", name.c_str(),
                  object->getObject("metadata")->getValue<std::string>("resourceVersion").c_str());
      std::fflush(stdout);  // the line is the acknowledgement: it must leave before the next write
      object->set("status", rules::parse(R"({"step":)" + std::to_string(i) + "}"));
      object = store.updateStatus(object);
      std::printf("status %s %s\n", name.c_str(),
                  object->getObject("metadata")->getValue<std::string>("resourceVersion").c_str());
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "store_crash_writer: %s\n", e.what());
    return 1;
  }
}
