// Start-up resync: the controller lists everything when it starts, so listing 10,000 objects
// must be quick. Prints rough figures; asserts only what was listed, never how fast.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "tests/store/store_test_support.hpp"

namespace maasprov::store {
namespace {

TEST(SqliteStoreResync, ListsTenThousandObjectsAfterReopen) {
  constexpr int kObjects = 10000;
  testing::TempDir dir;
  const std::string path = dir.file("store.db");
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  {
    SqliteStore store({.path = path});
    const auto start = Clock::now();
    for (int i = 0; i < kObjects; ++i) {
      auto object = testing::machine(
          "ns" + std::to_string(i % 10), "machine-" + std::to_string(i),
          R"("spec":{"provisioningMode":"baremetal","minCPU":4,"minMemoryMB":8192,)"
          R"("tags":["rack-1","ssd"],"image":"ubuntu/jammy"})");
      testing::setMeta(object, "labels",
                       R"({"cluster.x-k8s.io/cluster-name":"c)" + std::to_string(i % 7) + "\"}");
      store.create(object);
    }
    std::printf("[ info ] %d creates (one fsync each) took %lld ms\n", kObjects,
                static_cast<long long>(ms(Clock::now() - start)));
  }
  SqliteStore store({.path = path});
  const auto start = Clock::now();
  const auto all = store.list("MaasMachine", std::nullopt);
  const auto listed = Clock::now() - start;
  std::printf("[ info ] listing %zu objects after reopen took %lld ms\n", all.items.size(),
              static_cast<long long>(ms(listed)));
  ASSERT_EQ(all.items.size(), static_cast<std::size_t>(kObjects));
  EXPECT_EQ(all.resourceVersion, static_cast<std::uint64_t>(kObjects));

  const auto scanStart = Clock::now();
  std::size_t scanned = 0;
  const auto scanVersion =
      store.scan("MaasMachine", std::nullopt, [&](const Document&) { ++scanned; });
  std::printf("[ info ] scanning %zu objects took %lld ms\n", scanned,
              static_cast<long long>(ms(Clock::now() - scanStart)));
  EXPECT_EQ(scanned, static_cast<std::size_t>(kObjects));
  EXPECT_EQ(scanVersion, static_cast<std::uint64_t>(kObjects));

  const auto selected = store.list("MaasMachine", "ns3", [](const Labels& labels) {
    return labels.at("cluster.x-k8s.io/cluster-name") == "c0";
  });
  // i % 10 == 3 and i % 7 == 0: i = 63 + 70k below 10,000.
  EXPECT_EQ(selected.items.size(), static_cast<std::size_t>((kObjects - 63 + 69) / 70));
}

}  // namespace
}  // namespace maasprov::store
