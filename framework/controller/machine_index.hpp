// The controller's in-memory index of MaasMachines, fed by the store's change feed (as a
// Kubernetes informer's cache is): for each machine, which cluster and Secret it uses, its
// phase, fingerprints of what wakes it and its cluster, and the summary its peers' plugins see.
//
// Why: a reconcile needs the other machines of its cluster, and a cluster change needs the
// names of its machines. Asking the store meant reading and parsing every MaasMachine of the
// namespace on every reconcile; the index answers from memory, in time proportional to the
// cluster, and holds ~0.5 KB per machine rather than the documents.
//
// The index lags the store by the watch's delivery; readers of it accept that (an LXD plugin's
// own ledger covers VMs whose placement has not arrived yet), and deletion decisions that must
// not act on a stale view read the store instead.
//
// Ownership: owns copies of everything it holds; documents passed in are not retained.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "framework/controller/json_status.hpp"
#include "framework/controller/object_view.hpp"
#include "framework/plugin/request_document.hpp"

namespace maasprov::controller {

class MachineIndex {
 public:
  struct Update {
    bool firstSight = false;          // the index did not hold the machine
    bool triggerChanged = false;      // spec, labels, annotations or deletion changed
    bool clusterViewChanged = false;  // what its cluster's endpoint provider reads changed
    std::string cluster;              // its cluster label now ("" when none)
    std::string previousCluster;      // before this update, when it moved to another cluster
  };

  // Records the machine's latest state, as the watch and the resync read it.
  Update upsert(const ObjectView& machine);
  // The same from a parsed document (printed first, as the store would hold it).
  Update upsert(Json machine);
  // Forgets the machine; returns the cluster it belonged to ("" when unknown or none).
  std::string erase(const std::string& ns, const std::string& name);

  // peerSummary() texts of the machines of `cluster` in `ns`, except `exceptName`, by name.
  std::vector<plugin::SharedText> peers(const std::string& ns, const std::string& cluster,
                                        const std::string& exceptName) const;
  // Names of the machines of `cluster` in `ns`, sorted.
  std::vector<std::string> machinesOf(const std::string& ns, const std::string& cluster) const;
  // Names of the machines in `ns` whose spec.bootstrapDataSecretName is `secret`.
  std::vector<std::string> usingSecret(const std::string& ns, const std::string& secret) const;
  // Machines by phase (Pending, Provisioning, Ready, Failed, Deleting).
  std::map<std::string, std::size_t> phases() const;
  std::size_t size() const;

 private:
  struct Entry {
    std::string cluster;
    std::string secret;
    std::string phase;
    std::size_t trigger = 0;
    std::size_t clusterView = 0;
    plugin::SharedText summary;  // shared with the requests that carry it
  };
  using NsName = std::pair<std::string, std::string>;

  mutable std::mutex mutex_;
  std::map<NsName, Entry> entries_;  // (ns, name) -> entry
  // (ns, cluster) -> its machines' names and summaries (the same texts as their entries'), so
  // peers() reads one map instead of looking every member up.
  std::map<NsName, std::map<std::string, plugin::SharedText>> clusters_;
};

}  // namespace maasprov::controller
