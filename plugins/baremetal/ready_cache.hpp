// The Ready bare-metal machines last listed per set of allocation constraints, shared by every
// allocation of one plugin instance. Without it each allocation lists every matching Ready
// machine: filling 10,000 machines from 10,000 Ready ones reads 10,000 lists of up to 10,000.
//
// An entry is {when its list was requested, the machines with their cost, the ones dropped
// since}. Allocations take their candidates from an entry younger than kFreshFor that still has
// some, or list (one list per constraint set in flight; the others wait for it and use it). A
// machine allocated or refused by MAAS (409: taken by someone else) is dropped from the entry at
// once, also from a list still in flight, so no other allocation tries it again.
//
// Ownership: owned by the plugin instance; take() borrows the call's Host for the list it makes.
// Thread-safety: every member is safe to call concurrently (reconciles of one instance run on
// many threads); one mutex guards the entries, and MAAS is never called while it is held.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "maasprov/host.hpp"
#include "machine_ops.hpp"

namespace maasprov::baremetal {

class ReadyMachineCache {
 public:
  using Clock = std::chrono::steady_clock;

  // How long a list is reused. Staleness cannot make an allocation wrong: the pinned allocate
  // repeats every constraint and MAAS answers 409 for a machine taken since, which drops it, and
  // an allocation lists afresh before concluding anything from failures. A stale list only
  // misses machines freed since it was read, so it is kept short (2 s, far below any requeue),
  // yet one list serves every allocation of a fill made within those 2 s.
  static constexpr std::chrono::milliseconds kFreshFor{2000};
  // ... or ten times as long as reading the list took, if longer: listing thousands of Ready
  // machines takes MAAS seconds, and re-reading it every 2 s would make MAAS spend most of its
  // time on our lists while a fleet is allocated. Listing then costs MAAS at most a tenth of
  // the time; a freed machine waits a little longer to be seen.
  static constexpr int kFreshForListTimes = 10;

  struct Candidates {
    std::vector<std::string> systemIds;  // up to n, in try order: cost, then spread by key
    bool listed = false;                 // from a list read for this call (its own or joined)
  };

  // Up to n candidates for c (c.systemId is ignored), cheapest first, equal costs ordered by
  // a hash of (spreadKey, system_id) so that concurrent allocations try different machines.
  // Without listedSince: from a fresh entry with machines left, else from a list. With it: only
  // from a list requested at or after listedSince, or the one in flight. Empty only when that
  // list had nothing left. Throws what common::listReadyBareMetal throws (another call's failed
  // list is retried, never reported here), or Transient when the host cancels a waiting call.
  Candidates take(const Host& host, const common::AllocateConstraints& c,
                  const std::string& spreadKey, size_t n,
                  std::optional<Clock::time_point> listedSince);

  // systemId is no longer available to allocations under c: we allocated it, or MAAS refused it.
  void drop(const common::AllocateConstraints& c, const std::string& systemId);

  // False once systemId was dropped under c since the list it came from: a concurrent
  // allocation took it (or MAAS refused it), so pinning it would only earn a 409.
  bool available(const common::AllocateConstraints& c, const std::string& systemId) const;

  uint64_t lists() const;   // lists read from MAAS
  uint64_t shared() const;  // takes served by a list another call read (fresh entry or joined)

 private:
  struct Entry {
    bool valid = false;                               // machines holds a completed list
    bool listing = false;                             // a list is in flight
    bool lastOk = false;                              // the last completed list succeeded
    uint64_t generation = 0;                          // completed lists, successful or not
    Clock::time_point listedAt;                       // when the list in `machines` was requested
    Clock::duration listTook{};                       // how long reading that list took
    std::vector<common::ReadyMachine> machines;       // sorted by cost
    std::vector<char> gone;                           // per machine: dropped since listed
    std::unordered_map<std::string, size_t> indexOf;  // system_id -> index in machines
    std::unordered_set<std::string> goneInFlight;     // dropped while a list is in flight
  };
  static std::string keyOf(const common::AllocateConstraints& c);
  static std::vector<std::string> pick(const Entry& e, const std::string& spreadKey, size_t n);
  static void markGone(Entry& e, const std::string& systemId);  // mu_ held
  void evictStale(Clock::time_point now);                       // mu_ held

  static constexpr size_t kEvictAbove = 64;  // distinct constraint sets before stale ones go

  mutable std::mutex mu_;
  std::condition_variable listed_;
  std::map<std::string, std::shared_ptr<Entry>> entries_;
  uint64_t lists_ = 0;
  uint64_t shared_ = 0;
};

}  // namespace maasprov::baremetal
