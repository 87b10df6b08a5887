// The VM host list (GET vm-hosts/), parsed once per read and shared by the instance's composes:
// without it every compose read and parsed every host (60 hosts, 600 VMs: 600 lists).
//
// A listing carries the ledger Snapshot opened before its read, and keeps it open for as long as
// the listing can be handed out (and any compose still holds it). Why that keeps selection
// exact (reservations.hpp): a VM this instance composes after the read is absent from the
// list's `used`, but its reservation is composing, or completed after the snapshot's stamp, so
// it counts for that snapshot; and a completed reservation is only dropped once no open snapshot
// predates its completion, which an open listing's snapshot does. A reservation completed
// before the snapshot was opened completed before the request was sent: MAAS's `used` shows it.
// So one listing serves any number of composes without over-committing a host. What a listing
// can miss is what others did since its read (other clients' VMs, hosts added, tagged or
// removed, VMs deleted): MAAS refuses a compose over-committed by others (the caller then drops
// the listing), and callers decide failures (no host qualifies or fits) on a listing read after
// they asked (`since`), never on an older one.
//
// Lifetime: a listing is handed out for max(ttl, min(10 x the time its read took, 60 s)) from
// when its request was sent; ttl 0: only to callers that asked before its read was sent (each
// compose reads, concurrent ones still share a read in flight). Single flight: while one caller
// reads, the others wait for its answer instead of sending the same request; if it fails, they
// read themselves.
//
// Ownership: owned by the plugin instance; holds Ledger::Snapshot handles, so it must be
// destroyed before the Ledger (declare it after). Borrows the MaasClient for a read.
// Thread-safety: every member is safe to call concurrently; one mutex and a condition variable,
// never held during a MAAS request or while a snapshot is closed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "maasprov/host.hpp"
#include "reservations.hpp"
#include "vm_hosts.hpp"

namespace maasprov::lxd {

class VmHostCache {
 public:
  using Clock = std::chrono::steady_clock;

  // Long enough that a burst of composes shares one read, short enough that hosts added or
  // tagged for maintenance by an operator are seen within seconds (and below the 5 s of the
  // shortest backoff, though failures re-read anyway).
  static constexpr std::chrono::milliseconds kTtl{2000};
  // ... or this many times as long as reading the list took, if longer: thousands of hosts on a
  // slow MAAS then cost it at most a tenth of its time; capped so a listing stays short-lived.
  static constexpr int kReadTimes = 10;
  static constexpr std::chrono::seconds kReadScaledMax{60};

  struct Listing {
    std::shared_ptr<const Ledger::Snapshot> snapshot;      // opened before the read
    std::shared_ptr<const std::vector<VmHostInfo>> hosts;  // as GET vm-hosts/ answered
    Clock::time_point readAt;                              // when the request was sent
    bool fresh = false;  // read after this call asked (its own read, or one it waited for)
  };

  // `onRead` sees every successful read before it is handed out (e.g. to drop other caches'
  // entries for hosts MAAS no longer lists); it must not call back into this cache.
  using OnRead = std::function<void(const std::vector<VmHostInfo>&)>;
  VmHostCache(Ledger& ledger, std::chrono::milliseconds ttl, OnRead onRead = {});
  VmHostCache(const VmHostCache&) = delete;
  VmHostCache& operator=(const VmHostCache&) = delete;

  // A listing still within its lifetime, else a new read (or the one in flight). With `since`:
  // only a listing whose request was sent at or after `since`. Throws what the read throws
  // (another caller's failed read is retried by this caller, never reported to it).
  Listing get(const MaasClient& maas, std::optional<Clock::time_point> since = std::nullopt);

  // MAAS contradicted the listing read at `readAt` (e.g. refused a compose): the next get reads
  // afresh, unless a later read already replaced it.
  void drop(Clock::time_point readAt);
  // Drops a listing past its lifetime, closing its snapshot so the ledger can prune.
  void expire();

  std::chrono::milliseconds ttl() const { return ttl_; }
  uint64_t reads() const;   // lists read from MAAS
  uint64_t shared() const;  // gets served by a read made for another call

 private:
  // Moves the listing out when past its lifetime at `now`; call with mu_ held, and let the
  // result die after unlocking (closing a snapshot takes the ledger's mutex).
  std::optional<Listing> takeExpired(Clock::time_point now);

  Ledger& ledger_;
  const std::chrono::milliseconds ttl_;
  const OnRead onRead_;
  mutable std::mutex mu_;
  std::condition_variable readDone_;  // a read completed (or failed)
  std::optional<Listing> current_;    // the last successful read, until dropped or replaced
  Clock::duration life_{};            // current_'s lifetime, from its readAt
  bool reading_ = false;              // a read is in flight
  uint64_t generation_ = 0;           // reads completed, successful or not
  uint64_t reads_ = 0;
  uint64_t shared_ = 0;
};

}  // namespace maasprov::lxd
