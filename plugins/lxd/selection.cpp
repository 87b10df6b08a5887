#include "selection.hpp"

#include <algorithm>
#include <tuple>
#include <vector>

namespace maasprov::lxd {
namespace {

const Resources kNone{};

const Resources& pendingOf(const SelectionInput& in, int id) {
  auto it = in.pending.find(id);
  return it == in.pending.end() ? kNone : it->second;
}

template <typename K>
int countOf(const std::unordered_map<K, int>& m, const K& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

// floor(total x ratio) as MAAS computes it, without a libm call per host: exact for every
// finite product in int64 range (truncation, corrected downwards for negative fractions).
int64_t floorTimes(int64_t total, double ratio) {
  const double x = static_cast<double>(total) * ratio;
  const auto t = static_cast<int64_t>(x);
  return static_cast<double>(t) > x ? t - 1 : t;
}

// The spread counts by host id, as a flat array when the ids are dense enough (MAAS numbers VM
// hosts 1, 2, ...): one bounds check and a load per host instead of a hash lookup.
class HostCounts {
 public:
  HostCounts(const std::unordered_map<int, int>& counts, size_t hosts) : map_(counts) {
    if (counts.empty()) return;
    lo_ = hi_ = counts.begin()->first;
    for (const auto& [id, n] : counts) {
      lo_ = std::min(lo_, id);
      hi_ = std::max(hi_, id);
    }
    const int64_t span = static_cast<int64_t>(hi_) - lo_ + 1;
    if (span <= static_cast<int64_t>(2 * hosts + 1024)) {
      dense_.assign(static_cast<size_t>(span), 0);
      for (const auto& [id, n] : counts) dense_[static_cast<size_t>(id - lo_)] = n;
    }
  }
  int operator()(int id) const {
    if (map_.empty() || id < lo_ || id > hi_) return 0;
    if (!dense_.empty()) return dense_[static_cast<size_t>(id - lo_)];
    return countOf(map_, id);
  }

 private:
  const std::unordered_map<int, int>& map_;
  int lo_ = 0;
  int hi_ = -1;
  std::vector<int> dense_;
};

std::string gb(int64_t bytes) {
  return std::to_string(bytes / 1000000000) + " GB";
}

}  // namespace

Resources freeCapacity(const HostCandidate& h, const Resources& pending) {
  Resources f;
  // floor() as MAAS compares total x ratio - (used + requested) < 0 in floating point.
  f.cores = floorTimes(h.totalCores, h.cpuOverCommit) - h.usedCores - pending.cores;
  f.memoryMB = floorTimes(h.totalMemoryMB, h.memoryOverCommit) - h.usedMemoryMB - pending.memoryMB;
  f.diskBytes = h.poolAvailableBytes - pending.diskBytes;
  return f;
}

SelectionResult SelectOptimalHost(const std::vector<HostCandidate>& hosts,
                                  const SelectionInput& in) {
  SelectionResult r;
  const Resources& want = in.request;
  // Hot loop over up to 10,000 hosts: no string hashing. Pending reservations only when there
  // are some, the zone count through a small memo (few zones, many hosts), the host count from
  // a flat array by id, and only for hosts whose zone can still win.
  const bool havePending = !in.pending.empty();
  const HostCounts hostCount(in.hostCounts, hosts.size());
  const bool spread = in.spreadZones && !in.zoneCounts.empty();
  std::vector<std::pair<const std::string*, int>> zoneMemo;
  auto zoneCount = [&](const std::string& zone) {
    for (const auto& [z, n] : zoneMemo) {
      if (*z == zone) return n;
    }
    int n = countOf(in.zoneCounts, zone);
    if (zoneMemo.size() < 32) zoneMemo.emplace_back(&zone, n);
    return n;
  };
  // Best qualifying key so far, smaller is better: (zone count, host count, -free memory,
  // -free cores, -free disk, name, id).
  using Key = std::tuple<int, int, int64_t, int64_t, int64_t>;
  Key bestKey{};
  double bestLack = 0;
  for (int i = 0; i < static_cast<int>(hosts.size()); ++i) {
    const HostCandidate& h = hosts[static_cast<size_t>(i)];
    const Resources f = freeCapacity(h, havePending ? pendingOf(in, h.id) : kNone);
    const bool fits =
        f.cores >= want.cores && f.memoryMB >= want.memoryMB && f.diskBytes >= want.diskBytes;
    if (fits) {
      const int zc = spread ? zoneCount(h.zone) : 0;
      if (r.chosen >= 0 && zc > std::get<0>(bestKey)) continue;
      Key key{zc, hostCount(h.id), -(f.memoryMB - want.memoryMB), -(f.cores - want.cores),
              -(f.diskBytes - want.diskBytes)};
      bool better = r.chosen < 0 || key < bestKey;
      if (!better && key == bestKey) {
        const HostCandidate& b = hosts[static_cast<size_t>(r.chosen)];
        better = std::tie(h.name, h.id) < std::tie(b.name, b.id);
      }
      if (better) {
        r.chosen = i;
        bestKey = key;
        r.free = f;
      }
      continue;
    }
    if (r.chosen >= 0) continue;  // a qualifying host exists: the shortfall no longer matters
    auto rel = [](int64_t need, int64_t have) {
      return need <= 0 || have >= need
                 ? 0.0
                 : static_cast<double>(need - have) / static_cast<double>(need);
    };
    double lack = rel(want.cores, f.cores) + rel(want.memoryMB, f.memoryMB) +
                  rel(want.diskBytes, f.diskBytes);
    bool closer = r.closest < 0 || lack < bestLack;
    if (!closer && lack == bestLack) {
      const HostCandidate& b = hosts[static_cast<size_t>(r.closest)];
      closer = std::tie(h.name, h.id) < std::tie(b.name, b.id);
    }
    if (closer) {
      r.closest = i;
      bestLack = lack;
      r.free = f;
      r.lacking = {std::max<int64_t>(0, want.cores - f.cores),
                   std::max<int64_t>(0, want.memoryMB - f.memoryMB),
                   std::max<int64_t>(0, want.diskBytes - f.diskBytes)};
    }
  }
  if (r.chosen >= 0) {
    r.closest = -1;
    r.lacking = {};
  }
  return r;
}

std::string describeShortfall(const HostCandidate& h, const SelectionResult& r) {
  std::string lacks;
  auto add = [&lacks](const std::string& part) { lacks += (lacks.empty() ? "" : " and ") + part; };
  if (r.lacking.cores > 0) add(std::to_string(r.lacking.cores) + " cores");
  if (r.lacking.memoryMB > 0) add(std::to_string(r.lacking.memoryMB) + " MB of memory");
  if (r.lacking.diskBytes > 0) add(gb(r.lacking.diskBytes) + " in storage pool " + h.pool);
  auto nonNeg = [](int64_t v) { return std::max<int64_t>(0, v); };
  return h.name + " (zone " + h.zone + ") lacks " + lacks +
         " (free: " + std::to_string(nonNeg(r.free.cores)) + " cores at CPU over-commit " +
         std::to_string(h.cpuOverCommit).substr(0, 4) + ", " +
         std::to_string(nonNeg(r.free.memoryMB)) + " MB at memory over-commit " +
         std::to_string(h.memoryOverCommit).substr(0, 4) + ", " + gb(nonNeg(r.free.diskBytes)) +
         " in pool " + h.pool + ")";
}

}  // namespace maasprov::lxd
