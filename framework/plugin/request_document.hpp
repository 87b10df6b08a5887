// The request document the host hands a plugin's reconcile/remove (plugin_abi.h describes it):
// the object, its cluster, the user data, summaries of the cluster's other machines and, when
// the host's poller has just read it, the object's MAAS machine.
//
// Peers travel as summaries, not whole objects: a plugin places and counts machines (LXD) or
// publishes their addresses (DNS), and a cluster of 50 machines sent whole, on every reconcile,
// was most of the controller's CPU (docs/performance.md).
//
// Thread-safety: free functions on values; safe from any thread.
#pragma once

#include <Poco/JSON/Object.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "framework/plugin/call_context.hpp"
#include "framework/plugin/plugin_library.hpp"

namespace maasprov::plugin {

// What a plugin sees of another machine of its cluster, as a compact JSON object:
//   {"apiVersion", "kind", "metadata": {"name", "namespace", "uid", "labels",
//    "deletionTimestamp"}, "spec": {"provisioningMode"},
//    "status": {"ready", "systemID", "providerID", "failureDomain", "lxdHost", "machineState",
//               "machinePowered", "addresses"}}
// Fields absent from the machine are absent here. A null machine gives "{}".
std::string peerSummary(const Poco::JSON::Object::Ptr& machine);

// A JSON text shared, not copied: a summary is made once when its machine changes and then sent
// in every request of its cluster (49 of them per reconcile in a cluster of 50).
using SharedText = std::shared_ptr<const std::string>;
inline SharedText shareText(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

struct RequestParts {
  Poco::JSON::Object::Ptr object;             // null: {}
  Poco::JSON::Object::Ptr cluster;            // null: {}
  std::optional<std::string> userDataBase64;  // omitted when absent or empty
  std::vector<SharedText> peers;              // peerSummary() texts, in order; never null
  // The object's MAAS machine as a JSON object text (GET machines/{id}/ as MAAS renders it)
  // when the host read it moments ago; plugins may use it instead of reading the machine
  // again. Omitted when empty. Passed through as is: the poller got it from MAAS's own JSON.
  std::string observed;
  // When set, sent as they are instead of printing `object` and `cluster`: the store's own texts
  // of the same documents (Store::getText), so a reconcile need not print what it just read.
  std::shared_ptr<const std::string> objectText;
  std::shared_ptr<const std::string> clusterText;
  // False for plugins of ABI v2 and later: "machines" is left out (even when `peers` is set)
  // and answered by the host service cluster_machines when the plugin asks.
  bool machinesInline = true;
};

// {"object", "cluster", "userData"?, "machines": [peers...] (when machinesInline), "observed"?}
std::string makeRequestDocument(const RequestParts& parts);

// The JSON array of `peers`: "machines" of a request, or cluster_machines' answer.
std::string peersArray(const std::vector<SharedText>& peers);

// Puts `peers` (the summaries of the cluster's other machines) into the request of a plugin
// from `library`: inline in `parts` for ABI v1; for v2 and later, left out of it and returned
// as what answers the plugin's cluster_machines (CallOptions::machines), joined only if the
// plugin asks. The summaries are taken by the caller either way: a late answer from an
// abandoned call must not reach into the caller.
MachinesFn offerMachines(const PluginLibrary& library, RequestParts& parts,
                         std::vector<SharedText> peers);

// The same from whole peer documents (each reduced with peerSummary). Null pointers become
// {} / are skipped.
std::string makeRequestDocument(const Poco::JSON::Object::Ptr& object,
                                const Poco::JSON::Object::Ptr& cluster,
                                const std::optional<std::string>& userDataBase64,
                                const std::vector<Poco::JSON::Object::Ptr>& machines);

}  // namespace maasprov::plugin
