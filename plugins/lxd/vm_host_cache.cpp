#include "vm_host_cache.hpp"

#include <algorithm>
#include <exception>
#include <utility>

namespace maasprov::lxd {

VmHostCache::VmHostCache(Ledger& ledger, std::chrono::milliseconds ttl, OnRead onRead)
    : ledger_(ledger), ttl_(ttl), onRead_(std::move(onRead)) {}

std::optional<VmHostCache::Listing> VmHostCache::takeExpired(Clock::time_point now) {
  std::optional<Listing> gone;
  if (current_ && now - current_->readAt > life_) gone.swap(current_);
  return gone;
}

VmHostCache::Listing VmHostCache::get(const MaasClient& maas,
                                      std::optional<Clock::time_point> since) {
  const Clock::time_point asked = Clock::now();
  // A listing is fresh for this call when its request was sent after the call asked (or at or
  // after `since`): only those may decide that nothing qualifies or fits.
  const Clock::time_point freshFrom = since ? *since : asked;
  std::unique_lock lock(mu_);
  for (;;) {
    if (current_ && (since ? current_->readAt >= *since : asked - current_->readAt <= life_)) {
      Listing l = *current_;
      l.fresh = l.readAt >= freshFrom;
      ++shared_;
      return l;
    }
    if (reading_) {
      // Single flight: wait for the read in flight, then judge its answer like any other.
      const uint64_t generation = generation_;
      readDone_.wait(lock, [&] { return generation_ != generation; });
      continue;
    }
    reading_ = true;
    ++reads_;
    lock.unlock();
    Listing l;
    Clock::duration took{};
    try {
      // Opened before the request is sent: see reservations.hpp and the header comment.
      l.snapshot = std::make_shared<const Ledger::Snapshot>(ledger_);
      l.readAt = Clock::now();
      l.hosts = std::make_shared<const std::vector<VmHostInfo>>(listVmHosts(maas));
      took = Clock::now() - l.readAt;
      if (onRead_) onRead_(*l.hosts);
    } catch (...) {
      l.snapshot.reset();  // closed before taking mu_ (it takes the ledger's mutex)
      lock.lock();
      reading_ = false;
      ++generation_;
      readDone_.notify_all();  // the waiters read themselves
      throw;
    }
    l.fresh = true;
    lock.lock();
    reading_ = false;
    ++generation_;
    // The listing replaced is closed by whoever holds it last, outside this mutex.
    std::optional<Listing> replaced = std::exchange(current_, l);
    life_ = ttl_.count() == 0
                ? Clock::duration::zero()
                : std::max<Clock::duration>(
                      ttl_, std::min<Clock::duration>(kReadTimes * took, kReadScaledMax));
    readDone_.notify_all();
    lock.unlock();
    return l;
  }
}

void VmHostCache::drop(Clock::time_point readAt) {
  std::optional<Listing> gone;
  std::lock_guard lock(mu_);
  if (current_ && current_->readAt <= readAt) gone.swap(current_);
}

void VmHostCache::expire() {
  std::optional<Listing> gone;
  std::lock_guard lock(mu_);
  gone = takeExpired(Clock::now());
}

uint64_t VmHostCache::reads() const {
  std::lock_guard lock(mu_);
  return reads_;
}

uint64_t VmHostCache::shared() const {
  std::lock_guard lock(mu_);
  return shared_;
}

}  // namespace maasprov::lxd
