// SelectOptimalHost and the reservation ledger on their own (no MAAS): capacity with over-commit,
// pending reservations, zone then host spreading, free capacity, deterministic ties, the
// shortfall of the closest host, and concurrent reservations never over-committing.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "reservations.hpp"
#include "selection.hpp"

namespace maasprov::lxd {
namespace {

constexpr int64_t kGB = 1000000000;

HostCandidate host(int id, const std::string& name, const std::string& zone, int64_t cores,
                   int64_t memory, int64_t diskGB = 500) {
  HostCandidate h;
  h.id = id;
  h.name = name;
  h.zone = zone;
  h.totalCores = cores;
  h.totalMemoryMB = memory;
  h.pool = "default";
  h.poolAvailableBytes = diskGB * kGB;
  return h;
}

SelectionInput want(int64_t cores, int64_t memory, int64_t diskGB = 20) {
  SelectionInput in;
  in.request = {cores, memory, diskGB * kGB};
  return in;
}

TEST(LxdSelection, OverCommitRatiosRaiseCapacityAndUsedLowersIt) {
  HostCandidate h = host(1, "h", "z", 4, 8192);
  h.usedCores = 6;
  h.cpuOverCommit = 2.0;  // 8 cores to hand out, 6 used: 2 left
  EXPECT_EQ(SelectOptimalHost({h}, want(2, 1024)).chosen, 0);
  SelectionResult r = SelectOptimalHost({h}, want(3, 1024));
  EXPECT_EQ(r.chosen, -1);
  EXPECT_EQ(r.closest, 0);
  EXPECT_EQ(r.lacking.cores, 1);
  h.memoryOverCommit = 1.5;  // 12288 MB
  h.usedMemoryMB = 8192;
  EXPECT_EQ(SelectOptimalHost({h}, want(1, 4096)).chosen, 0);
  EXPECT_EQ(SelectOptimalHost({h}, want(1, 4097)).chosen, -1);
}

TEST(LxdSelection, DiskIsCheckedAgainstThePoolAndNeverOverCommitted) {
  HostCandidate big = host(1, "big", "z", 64, 262144, 30);  // most memory, small pool
  HostCandidate small = host(2, "small", "z", 8, 16384, 500);
  EXPECT_EQ(SelectOptimalHost({big, small}, want(2, 2048, 20)).chosen, 0);
  EXPECT_EQ(SelectOptimalHost({big, small}, want(2, 2048, 50)).chosen, 1);
}

TEST(LxdSelection, PendingReservationsCountAgainstTheHost) {
  HostCandidate h = host(7, "h", "z", 4, 8192);
  SelectionInput in = want(2, 2048);
  in.pending[7] = {3, 0, 0};
  SelectionResult r = SelectOptimalHost({h}, in);
  EXPECT_EQ(r.chosen, -1);
  EXPECT_EQ(r.lacking.cores, 1);
}

TEST(LxdSelection, ZonesFirstThenHostsThenMostFreeMemory) {
  std::vector<HostCandidate> hosts = {host(1, "a1", "zone-a", 16, 65536),
                                      host(2, "a2", "zone-a", 16, 49152),
                                      host(3, "b1", "zone-b", 16, 32768)};
  SelectionInput in = want(2, 4096);
  EXPECT_EQ(SelectOptimalHost(hosts, in).chosen, 0);  // most free memory
  in.zoneCounts["zone-a"] = 1;
  EXPECT_EQ(SelectOptimalHost(hosts, in).chosen, 2);  // the empty zone, despite less memory
  in.spreadZones = false;                             // a fixed failureDomain: no zone spread
  in.hostCounts[1] = 1;                               // a1
  EXPECT_EQ(SelectOptimalHost(hosts, in).chosen, 1);  // fewest of the cluster's VMs
}

TEST(LxdSelection, TiesAreBrokenByNameThenIdWhateverTheOrder) {
  std::vector<HostCandidate> hosts = {host(3, "c", "z", 8, 8192), host(2, "b", "z", 8, 8192),
                                      host(1, "b", "z", 8, 8192)};
  EXPECT_EQ(SelectOptimalHost(hosts, want(1, 1024)).chosen, 2);
  std::swap(hosts[1], hosts[2]);
  EXPECT_EQ(SelectOptimalHost(hosts, want(1, 1024)).chosen, 1);
}

TEST(LxdSelection, InsufficientNamesTheHostLackingLeastAndWhat) {
  std::vector<HostCandidate> hosts = {host(1, "tiny", "z", 1, 1024), host(2, "near", "z", 3, 8192)};
  SelectionResult r = SelectOptimalHost(hosts, want(4, 4096));
  ASSERT_EQ(r.chosen, -1);
  ASSERT_EQ(r.closest, 1);
  EXPECT_EQ(r.lacking.cores, 1);
  EXPECT_EQ(r.lacking.memoryMB, 0);
  std::string text = describeShortfall(hosts[1], r);
  EXPECT_NE(text.find("near (zone z) lacks 1 cores"), std::string::npos) << text;
  EXPECT_EQ(SelectOptimalHost({}, want(1, 1024)).closest, -1);
}

TEST(LxdSelection, TenThousandHostsPickTheSameHostAsASmallList) {
  std::vector<HostCandidate> hosts;
  for (int i = 0; i < 10000; ++i) {
    hosts.push_back(host(i, "h" + std::to_string(i), "zone-" + std::to_string(i % 3), 16,
                         32768 + (i == 7777 ? 1024 : 0)));
  }
  SelectionInput in = want(2, 4096);
  in.zoneCounts["zone-0"] = 1;
  in.zoneCounts["zone-2"] = 1;
  SelectionResult r = SelectOptimalHost(hosts, in);
  ASSERT_GE(r.chosen, 0);
  EXPECT_EQ(hosts[static_cast<size_t>(r.chosen)].name, "h7777");  // zone-1, most memory
}

TEST(LxdLedger, ConcurrentReservationsNeverOverCommit) {
  Ledger ledger;
  const std::vector<HostCandidate> hosts = {host(1, "a", "z", 4, 65536),
                                            host(2, "b", "z", 4, 65536)};
  std::atomic<int> placed{0};
  std::vector<std::thread> threads;
  std::vector<Ledger::Choice> choices(16);
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      Ledger::Snapshot snap(ledger);  // all see the same empty MAAS
      choices[static_cast<size_t>(i)] = ledger.selectAndReserve(snap, hosts, want(1, 1024), "ns/c",
                                                                "uid-" + std::to_string(i), {});
      if (choices[static_cast<size_t>(i)].result.chosen >= 0) ++placed;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(placed.load(), 8);  // 4 + 4 cores
  EXPECT_EQ(ledger.size(), 8u);
  choices.clear();  // every hold completes; with no open snapshot they are dropped
  EXPECT_EQ(ledger.size(), 0u);
}

TEST(LxdLedger, ACompletedReservationStillCountsForAnOlderSnapshotAndSpreadsTheCluster) {
  Ledger ledger;
  const std::vector<HostCandidate> hosts = {host(1, "a", "zone-a", 4, 65536),
                                            host(2, "b", "zone-b", 4, 65536)};
  Ledger::Snapshot older(ledger);
  {
    Ledger::Snapshot snap(ledger);
    Ledger::Choice first = ledger.selectAndReserve(snap, hosts, want(4, 1024), "ns/c", "u1", {});
    ASSERT_EQ(first.result.chosen, 0);
  }  // completed, but `older` began before: MAAS's answer to it may not show the VM
  Ledger::Choice second = ledger.selectAndReserve(older, hosts, want(1, 1024), "ns/c", "u2", {});
  EXPECT_EQ(second.result.chosen, 1);  // host a is full, and zone-a already has one
}

TEST(LxdLedger, PlacementsSpreadLaterSelectionsUntilTheRequestShowsThemOrTheyAreForgotten) {
  Ledger ledger;
  const std::vector<HostCandidate> hosts = {host(1, "a", "zone-a", 64, 65536),
                                            host(2, "b", "zone-b", 64, 32768)};
  {
    Ledger::Snapshot snap(ledger);
    ASSERT_EQ(ledger.selectAndReserve(snap, hosts, want(1, 1024), "ns/c", "u1", {}).result.chosen,
              0);
  }
  ASSERT_EQ(ledger.size(), 0u);  // completed and pruned: MAAS's used shows it from now on
  Ledger::Snapshot later(ledger);
  // The request's machines do not show u1 placed yet: the zone it took still counts.
  EXPECT_EQ(ledger.selectAndReserve(later, hosts, want(1, 1024), "ns/c", "u2", {}).result.chosen,
            1);
  // Another cluster is not spread against it; a request showing u1 placed counts it itself.
  EXPECT_EQ(
      ledger.selectAndReserve(later, hosts, want(1, 1024), "ns/other", "u3", {}).result.chosen, 0);
  ledger.forget("u2");
  SelectionInput shown = want(1, 1024);
  shown.zoneCounts["zone-a"] = 1;  // u1, as the request shows it
  EXPECT_EQ(ledger.selectAndReserve(later, hosts, shown, "ns/c", "u4", {"u1"}).result.chosen, 1);
}

}  // namespace
}  // namespace maasprov::lxd
