#include "ready_cache.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include "maasprov/error.hpp"

namespace maasprov::baremetal {

std::string ReadyMachineCache::keyOf(const common::AllocateConstraints& c) {
  common::AllocateConstraints k = c;
  k.systemId.clear();
  std::sort(k.tags.begin(), k.tags.end());  // MAAS needs every tag: their order is no constraint
  return common::describeConstraints(k);
}

std::vector<std::string> ReadyMachineCache::pick(const Entry& e, const std::string& spreadKey,
                                                 size_t n) {
  return common::cheapestSpread(e.machines, spreadKey, n,
                                [&e](size_t i) { return e.gone[i] != 0; });
}

void ReadyMachineCache::markGone(Entry& e, const std::string& systemId) {
  auto at = e.indexOf.find(systemId);
  if (at != e.indexOf.end()) e.gone[at->second] = 1;
}

void ReadyMachineCache::evictStale(Clock::time_point now) {
  if (entries_.size() <= kEvictAbove) return;
  for (auto it = entries_.begin(); it != entries_.end();) {
    const Entry& e = *it->second;
    // use_count 1: no call holds it (waiting or listing), so nothing refers to it any more.
    if (!e.listing && it->second.use_count() == 1 && now - e.listedAt >= kFreshFor) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

ReadyMachineCache::Candidates ReadyMachineCache::take(
    const Host& host, const common::AllocateConstraints& c, const std::string& spreadKey, size_t n,
    std::optional<Clock::time_point> listedSince) {
  const std::string key = keyOf(c);
  std::unique_lock<std::mutex> lock(mu_);
  evictStale(Clock::now());
  std::shared_ptr<Entry>& slot = entries_[key];
  if (!slot) slot = std::make_shared<Entry>();
  const std::shared_ptr<Entry> e = slot;  // stays valid if evicted while we wait or list

  for (;;) {
    if (e->valid) {
      if (listedSince) {
        if (e->listedAt >= *listedSince) {
          ++shared_;
          return {pick(*e, spreadKey, n), true};
        }
      } else if (Clock::now() - e->listedAt <
                 std::max<Clock::duration>(kFreshFor, kFreshForListTimes * e->listTook)) {
        std::vector<std::string> ids = pick(*e, spreadKey, n);
        // An empty entry is never trusted: machines may have been freed since.
        if (!ids.empty()) {
          ++shared_;
          return {std::move(ids), false};
        }
      }
    }
    if (e->listing) {
      // Single flight: wait for the list in flight instead of reading the same list again.
      const uint64_t generation = e->generation;
      while (e->generation == generation) {
        if (host.cancelled()) {
          throw PluginError(ErrorType::Transient,
                            "cancelled by the host while waiting for the Ready machine list")
              .retryable(true);
        }
        listed_.wait_for(lock, std::chrono::milliseconds(50));
      }
      if (e->lastOk) {
        ++shared_;
        return {pick(*e, spreadKey, n), true};
      }
      continue;  // that call's list failed (perhaps its own cancellation): try ours
    }

    e->listing = true;
    e->goneInFlight.clear();
    ++lists_;
    const Clock::time_point requested = Clock::now();
    lock.unlock();
    std::vector<common::ReadyMachine> machines;
    std::unordered_map<std::string, size_t> indexOf;
    std::exception_ptr failed;
    try {
      machines = common::listReadyBareMetal(host.maas(), c);
      indexOf.reserve(machines.size());
      for (size_t i = 0; i < machines.size(); ++i) indexOf.emplace(machines[i].systemId, i);
    } catch (...) {
      failed = std::current_exception();
    }
    lock.lock();
    e->listing = false;
    e->lastOk = failed == nullptr;
    ++e->generation;
    if (!failed) {
      e->valid = true;
      e->listedAt = requested;
      e->listTook = Clock::now() - requested;
      e->machines = std::move(machines);
      e->gone.assign(e->machines.size(), 0);
      e->indexOf = std::move(indexOf);
      // MAAS may have answered before those allocations: they stay dropped.
      for (const std::string& id : e->goneInFlight) markGone(*e, id);
    }
    e->goneInFlight.clear();
    listed_.notify_all();
    if (failed) std::rethrow_exception(failed);
    return {pick(*e, spreadKey, n), true};
  }
}

void ReadyMachineCache::drop(const common::AllocateConstraints& c, const std::string& systemId) {
  const std::string key = keyOf(c);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  Entry& e = *it->second;
  markGone(e, systemId);
  if (e.listing) e.goneInFlight.insert(systemId);
}

bool ReadyMachineCache::available(const common::AllocateConstraints& c,
                                  const std::string& systemId) const {
  const std::string key = keyOf(c);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return true;
  const Entry& e = *it->second;
  auto at = e.indexOf.find(systemId);
  return at == e.indexOf.end() || e.gone[at->second] == 0;
}

uint64_t ReadyMachineCache::lists() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lists_;
}

uint64_t ReadyMachineCache::shared() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shared_;
}

}  // namespace maasprov::baremetal
