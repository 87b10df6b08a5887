// LXD VM hosts as MAAS shows them (GET vm-hosts/, GET vm-hosts/{id}/?op=parameters, and the
// backing machines through GET machines/?id=...), decoded leniently from MAAS 3.x payloads.
//
// Ownership: value types; functions borrow the MaasClient for the call. ProjectCache and
// BackingMachineCache are owned by the plugin instance.
// Thread-safety: the free functions are stateless; ProjectCache and BackingMachineCache are safe
// to call concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "maasprov/host.hpp"
#include "maasprov/json.hpp"

namespace maasprov::lxd {

struct StoragePoolInfo {
  std::string name;
  int64_t totalBytes = 0;
  int64_t usedBytes = 0;
  int64_t availableBytes = 0;
  bool isDefault = false;
};

struct BackingMachine {
  bool known = false;  // MAAS listed it
  std::string systemId;
  std::string statusName;
  std::string powerState;
  std::vector<std::string> tags;
  std::vector<std::pair<std::string, std::string>> interfaces;  // name, type ("bridge", ...)
};

struct VmHostInfo {
  int id = 0;
  std::string name;
  std::string type;
  std::string zone;
  int zoneId = 0;
  std::string pool;
  int poolId = 0;
  std::vector<std::string> tags;
  int64_t totalCores = 0;
  int64_t usedCores = 0;
  int64_t totalMemoryMB = 0;
  int64_t usedMemoryMB = 0;
  double cpuOverCommit = 1.0;
  double memoryOverCommit = 1.0;
  std::vector<StoragePoolInfo> storagePools;
  std::string hostSystemId;  // backing machine; "" when MAAS does not know it
  BackingMachine backing;    // filled by BackingMachineCache::fill()
  std::string project;       // filled by fillProject()

  bool hasTag(const std::string& t) const;
  const StoragePoolInfo* storagePool(const std::string& name) const;  // "" = the default pool
  bool hasInterface(const std::string& name, bool bridgeOnly) const;
  std::string defaultBridge() const;  // first bridge of the backing machine, "" when none
  std::string poolNames() const;      // "default, fast" for messages

  // Throws PluginError (Transient) when `v` is not a VM host object.
  static VmHostInfo fromJson(const json::Value& v);
};

// GET vm-hosts/: every VM host (all types).
std::vector<VmHostInfo> listVmHosts(const MaasClient& maas);
// GET machines/?id=... (100 ids per request): each id's machine, `known` false when MAAS does
// not list it.
std::unordered_map<std::string, BackingMachine> readBackingMachines(
    const MaasClient& maas, const std::vector<std::string>& systemIds);
// GET vm-hosts/{id}/?op=parameters: the LXD project.
void fillProject(const MaasClient& maas, VmHostInfo& host);

// Each VM host's LXD project, read once per host rather than per VM: MAAS connects a VM host to
// one project when it is added. An operator can still change it (PUT vm-hosts/{id}/ project=),
// so an entry lives at most `ttl`; callers about to fail because of a cached project re-read it
// (fill with fresh). An entry is dropped when GET vm-hosts/ no longer lists the host (retain)
// or a call on the host answers 404 (forget); MAAS never reuses a VM host id.
class ProjectCache {
 public:
  static constexpr std::chrono::minutes kTtl{10};

  // The cached project, else (or with `fresh`) reads it from MAAS; the read happens outside
  // the lock (two concurrent misses may both read, harmlessly). True when it came from the
  // cache.
  bool fill(const MaasClient& maas, VmHostInfo& host, bool fresh = false);
  std::string get(const MaasClient& maas, int hostId);
  // Keeps only the hosts of `listed` (a whole GET vm-hosts/ answer).
  void retain(const std::vector<VmHostInfo>& listed);
  void forget(int hostId);
  size_t size() const;

 private:
  struct Entry {
    std::string project;
    std::chrono::steady_clock::time_point readAt;
  };
  mutable std::mutex mu_;
  std::unordered_map<int, Entry> projects_;  // VM host id -> LXD project
};

// The VM hosts' backing machines (status, power, tags, interfaces) by system_id, shared by the
// instance's composes: without it every compose parsed every host's machine (60 hosts: 60 big
// objects per VM). An entry is used while younger than the TTL, measured from when its request
// was sent. It is dropped when GET vm-hosts/ no longer lists a host it backs (retain) or a
// compose on its host is refused (forget); callers about to fail placement on cached entries
// read them again (fill with fresh).
class BackingMachineCache {
 public:
  // Long enough that a burst of composes shares one read, short enough that a host an operator
  // marks for maintenance (or that goes down) is avoided within seconds.
  static constexpr std::chrono::milliseconds kTtl{2000};

  // `ttl` 0: no reuse from one fill to the next (a read in flight is still shared).
  explicit BackingMachineCache(std::chrono::milliseconds ttl = kTtl) : ttl_(ttl) {}

  // Sets `backing` of every host with a hostSystemId: fresh entries from the cache, the others
  // (all of them with `fresh`) in one batched read outside the lock. A caller needing an id
  // another caller is reading waits for that read rather than repeating it (so concurrent
  // composes share one read); if that read fails it reads the id itself. Throws what the read
  // throws. True when any host's machine came from the cache.
  bool fill(const MaasClient& maas, std::vector<VmHostInfo>& hosts, bool fresh = false);
  // Keeps only the backing machines of `listed` (a whole GET vm-hosts/ answer).
  void retain(const std::vector<VmHostInfo>& listed);
  void forget(const std::string& systemId);
  size_t size() const;
  std::chrono::milliseconds ttl() const { return ttl_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    BackingMachine machine;
    Clock::time_point readAt;  // when its request was sent
    uint64_t seq = 0;          // storeSeq_ when stored
  };

  // Stores what a read sent at `sentAt` answered, unless a later-sent read is stored already.
  // Call with mu_ held.
  void storeLocked(const std::unordered_map<std::string, BackingMachine>& read,
                   Clock::time_point sentAt);

  const std::chrono::milliseconds ttl_;
  mutable std::mutex mu_;
  std::condition_variable readDone_;                 // a caller released ids it was reading
  std::unordered_map<std::string, Entry> machines_;  // system_id -> backing machine
  std::unordered_set<std::string> reading_;          // ids a caller is reading now (not `fresh`)
  uint64_t storeSeq_ = 0;                            // stores so far
};

}  // namespace maasprov::lxd
