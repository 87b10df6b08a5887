// In-flight reservations: what this plugin instance is composing, or has composed while some
// MAAS snapshot taken earlier cannot show it yet. Selection subtracts them from MAAS's free
// capacity, so concurrent reconciles on one instance never over-commit a host, and counts them
// for spreading, so concurrent control planes of one cluster spread across zones.
//
// Logical clock: every snapshot (a read of GET vm-hosts/) and every compose completion takes a
// tick. A reservation counts for a snapshot while it is composing, or when it completed after
// the snapshot began (the snapshot may predate it). Completed reservations are dropped once no
// open snapshot predates their completion. Counting a VM both in MAAS's `used` and here is
// conservative: it can only under-commit, briefly. One snapshot may serve many selections:
// VmHostCache keeps a read's snapshot open while it hands that read out (vm_host_cache.hpp).
//
// Spreading also remembers where this instance placed each machine (by uid, for `placementTtl`),
// because a request's `machines` may have been read before another machine's placement was
// checkpointed; a machine the request already shows placed is never counted twice.
//
// Ownership: the instance owns one Ledger; Snapshot and Hold are RAII handles that must not
// outlive it. Thread-safety: every member is safe to call concurrently (one mutex; selection
// runs under it so choosing and reserving are one atomic step).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "selection.hpp"

namespace maasprov::lxd {

class Ledger {
 public:
  struct Entry {
    uint64_t id = 0;
    int hostId = 0;
    std::string hostName;
    std::string zone;
    std::string pool;
    Resources size;
    std::string cluster;       // "<namespace>/<cluster>"
    std::string uid;           // the MaasMachine's uid
    uint64_t completedAt = 0;  // 0 while composing
  };

  // An open snapshot: construct before reading the VM hosts from MAAS.
  class Snapshot {
   public:
    explicit Snapshot(Ledger& ledger);
    ~Snapshot();
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;
    uint64_t stamp() const { return stamp_; }

   private:
    Ledger& ledger_;
    uint64_t stamp_;
  };

  // A reservation; completes (MAAS answered, whatever it said) when destroyed.
  class Hold {
   public:
    Hold() = default;
    Hold(Ledger* ledger, uint64_t id) : ledger_(ledger), id_(id) {}
    ~Hold();
    Hold(Hold&& o) noexcept : ledger_(o.ledger_), id_(o.id_) { o.ledger_ = nullptr; }
    Hold& operator=(Hold&& o) noexcept;
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    bool held() const { return ledger_ != nullptr; }

   private:
    Ledger* ledger_ = nullptr;
    uint64_t id_ = 0;
  };

  // Adds what counts for `snap` to input.pending (by host id; disk only when in the same pool as
  // the candidate's) and this instance's placements of the cluster's other machines that
  // `placedUids` (the request's machines already placed) does not cover to the spread counts,
  // runs SelectOptimalHost, and reserves the chosen host for the request atomically.
  struct Choice {
    SelectionResult result;
    Hold hold;
  };
  Choice selectAndReserve(const Snapshot& snap, const std::vector<HostCandidate>& hosts,
                          SelectionInput input, const std::string& cluster, const std::string& uid,
                          const std::vector<std::string>& placedUids);

  // Forgets where `uid` was placed (deleted, or its compose failed).
  void forget(const std::string& uid);

  size_t size() const;
  std::vector<Entry> entries() const;

 private:
  void complete(uint64_t id);
  void prune();  // with mu_ held

  struct Placement {
    std::string cluster;
    std::string zone;
    int hostId = 0;
    std::chrono::steady_clock::time_point at;
  };
  static constexpr std::chrono::minutes kPlacementTtl{10};

  mutable std::mutex mu_;
  std::unordered_map<std::string, Placement> placements_;  // uid -> where this instance put it
  uint64_t clock_ = 0;
  uint64_t nextId_ = 0;
  std::list<Entry> entries_;
  std::list<uint64_t> openSnapshots_;
};

}  // namespace maasprov::lxd
