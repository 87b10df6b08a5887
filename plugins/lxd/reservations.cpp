#include "reservations.hpp"

#include <algorithm>
#include <unordered_map>

namespace maasprov::lxd {

Ledger::Snapshot::Snapshot(Ledger& ledger) : ledger_(ledger) {
  std::lock_guard lock(ledger_.mu_);
  stamp_ = ++ledger_.clock_;
  ledger_.openSnapshots_.push_back(stamp_);
}

Ledger::Snapshot::~Snapshot() {
  std::lock_guard lock(ledger_.mu_);
  auto it = std::find(ledger_.openSnapshots_.begin(), ledger_.openSnapshots_.end(), stamp_);
  if (it != ledger_.openSnapshots_.end()) ledger_.openSnapshots_.erase(it);
  ledger_.prune();
}

Ledger::Hold::~Hold() {
  if (ledger_ != nullptr) ledger_->complete(id_);
}

Ledger::Hold& Ledger::Hold::operator=(Hold&& o) noexcept {
  if (this != &o) {
    if (ledger_ != nullptr) ledger_->complete(id_);
    ledger_ = o.ledger_;
    id_ = o.id_;
    o.ledger_ = nullptr;
  }
  return *this;
}

Ledger::Choice Ledger::selectAndReserve(const Snapshot& snap,
                                        const std::vector<HostCandidate>& hosts,
                                        SelectionInput input, const std::string& cluster,
                                        const std::string& uid,
                                        const std::vector<std::string>& placedUids) {
  std::lock_guard lock(mu_);
  std::unordered_map<int, const HostCandidate*> byId;
  byId.reserve(hosts.size());
  for (const auto& h : hosts) byId.emplace(h.id, &h);
  for (const auto& e : entries_) {
    if (e.uid == uid) continue;  // our own earlier attempt: MAAS's answer decides
    const bool counts = e.completedAt == 0 || e.completedAt > snap.stamp();
    if (counts) {
      Resources& p = input.pending[e.hostId];
      p.cores += e.size.cores;
      p.memoryMB += e.size.memoryMB;
      auto h = byId.find(e.hostId);
      if (h != byId.end() && h->second->pool == e.pool) p.diskBytes += e.size.diskBytes;
    }
  }
  // Spread: the cluster's machines this instance placed that the request does not show placed.
  const auto now = std::chrono::steady_clock::now();
  for (auto it = placements_.begin(); it != placements_.end();) {
    if (now - it->second.at > kPlacementTtl) {
      it = placements_.erase(it);
      continue;
    }
    const Placement& p = it->second;
    if (it->first != uid && p.cluster == cluster &&
        std::find(placedUids.begin(), placedUids.end(), it->first) == placedUids.end()) {
      ++input.zoneCounts[p.zone];
      ++input.hostCounts[p.hostId];
    }
    ++it;
  }
  Choice c;
  c.result = SelectOptimalHost(hosts, input);
  if (c.result.chosen >= 0) {
    const HostCandidate& h = hosts[static_cast<size_t>(c.result.chosen)];
    Entry e;
    e.id = ++nextId_;
    e.hostId = h.id;
    e.hostName = h.name;
    e.zone = h.zone;
    e.pool = h.pool;
    e.size = input.request;
    e.cluster = cluster;
    e.uid = uid;
    entries_.push_back(e);
    placements_[uid] = Placement{cluster, h.zone, h.id, now};
    c.hold = Hold(this, e.id);
  }
  return c;
}

void Ledger::complete(uint64_t id) {
  std::lock_guard lock(mu_);
  for (auto& e : entries_) {
    if (e.id == id) e.completedAt = ++clock_;
  }
  prune();
}

void Ledger::prune() {
  uint64_t oldest = openSnapshots_.empty()
                        ? clock_ + 1
                        : *std::min_element(openSnapshots_.begin(), openSnapshots_.end());
  entries_.remove_if(
      [oldest](const Entry& e) { return e.completedAt != 0 && e.completedAt < oldest; });
}

void Ledger::forget(const std::string& uid) {
  std::lock_guard lock(mu_);
  placements_.erase(uid);
}

size_t Ledger::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

std::vector<Ledger::Entry> Ledger::entries() const {
  std::lock_guard lock(mu_);
  return {entries_.begin(), entries_.end()};
}

}  // namespace maasprov::lxd
