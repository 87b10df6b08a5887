// The MAAS machine operations provisioners share, over the host's MAAS client. Every function
// throws maasprov::PluginError (Transient, retryable) for a transport failure or an answer it
// cannot use, naming the call; outcomes callers must act on are returned instead.
//
// Ownership: functions borrow the MaasClient for the duration of the call.
// Thread-safety: stateless; safe to call concurrently for different objects.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "image.hpp"
#include "maas_machine.hpp"
#include "maasprov/host.hpp"
#include "machine_spec.hpp"
#include "ownership.hpp"

namespace maasprov::common {

// Machines MAAS lists with agent_name=<agentName> (GET machines/?agent_name=...), including those
// still Releasing. One read.
std::vector<MaasMachineView> listHeld(const MaasClient& maas, const std::string& agentName);

// The request's `observed` MAAS machine (read by the host's poller moments ago) when it is the
// machine `systemId` names, the object's own checkpoint; nullptr when absent, for another
// machine, or when `systemId` is empty (nothing recorded: only a lookup by owner finds what a
// crash may have left). The pointer is owned by `req`. Callers still check ownership.
const json::Value* observedMachine(const Request& req, const std::string& systemId);

// The form of POST machines/?op=allocate: cpu_count, mem, one "tags" per tag, zone, pool,
// system_id, agent_name. Never pod, not_pod, pod_type or not_pod_type: MAAS 3.2 reads any of them
// as "only machines inside a VM host" (filter_by_pod_or_pod_type), so they cannot ask for bare
// metal (docs/plugins/baremetal.md).
Params allocateParams(const AllocateConstraints& c, const std::string& agentName);

struct AllocateResult {
  std::optional<MaasMachineView> machine;     // allocated, carrying agent_name
  std::string noMatch;                        // MAAS's 409 text when nothing matched
  std::optional<MaasMachineView> releasedVm;  // bareMetalOnly: the VM MAAS gave, released at once
};

// Allocates with every constraint, one request. A 400 naming a
// constraint (unknown tag, zone, pool) throws InvalidSpec naming the spec field; it stays
// retryable (with a long requeue) because an operator may create the tag or zone in MAAS.
// With c.bareMetalOnly a machine inside a VM host (MAAS picked a cheaper VM, or composed one
// because nothing else matched) is released before returning (a composed one is decomposed by
// that) and reported in releasedVm, never in machine. If that release fails the error is thrown
// and the VM stays held under agentName, where the next lookup finds and releases it.
AllocateResult allocate(const MaasClient& maas, const AllocateConstraints& c,
                        const std::string& agentName);

// A Ready bare-metal machine as listed: its system_id and MAAS's allocation cost
// (cpu_count + memory/1024, the order MAAS itself allocates in).
struct ReadyMachine {
  std::string systemId;
  double cost = 0;
  uint64_t idHash = 0;  // of systemId, computed once so that each spread order is cheap
};

// Ready, unowned, unlocked machines outside any VM host that match c's cpu_count, mem, tags,
// zone and pool (GET machines/?status=ready&...; c.systemId is ignored), cheapest first, equal
// costs by system_id. One read; a 400 throws InvalidSpec as allocate does. Pinning one with
// system_id takes bare metal without MAAS ever composing (it composes only without system_id)
// or handing over a VM.
std::vector<ReadyMachine> listReadyBareMetal(const MaasClient& maas, const AllocateConstraints& c);

// Up to n system_ids from byCost (sorted by cost, as listReadyBareMetal returns it), cheapest
// first; equal costs ordered by a hash of (spreadKey, system_id), so concurrent callers with
// different keys try different machines first. Entries whose index skip() names are left out.
// Orders only the cost groups it takes from.
std::vector<std::string> cheapestSpread(const std::vector<ReadyMachine>& byCost,
                                        const std::string& spreadKey, size_t n,
                                        const std::function<bool(size_t index)>& skip);

// "cpu_count=2 mem=4096 tags=a,b zone=z pool=p": the constraints as sent, for messages.
std::string describeConstraints(const AllocateConstraints& c);

// True for a machine inside a VM host (MAAS's "pod" is not null).
inline bool inVmHost(const MaasMachineView& m) {
  return !m.podName.empty();
}

// Sets the owner's workload annotations on the machine.
void annotate(const MaasClient& maas, const std::string& systemId, const Owner& owner);

struct DeployResult {
  std::optional<MaasMachineView> machine;  // set when MAAS accepted the deployment
  int httpStatus = 0;  // MAAS's answer otherwise: 4xx refused it, 5xx says nothing either way
  std::string error;   // MAAS's text then (never user data)
};

// POST machines/{id}/?op=deploy with user_data (base64, as given), distro_series and agent_name.
// MAAS allocates a Ready machine it is asked to deploy, to the caller with that agent_name: so a
// deploy that lands late (sent before a crash, answered after the machine was given back) leaves
// a machine marked as the object's, which its next listing releases, instead of one nobody
// finds. Any HTTP answer is returned (the caller decides what a 4xx or 5xx means,
// deployment.hpp); a transport failure throws Transient.
DeployResult deploy(const MaasClient& maas, const std::string& systemId,
                    const std::string& userDataBase64, const DistroSeries& image,
                    const std::string& agentName);

// POST machines/{id}/?op=release. False when MAAS no longer knows the machine (404: gone);
// true when it is releasing (or already released). Throws Transient otherwise.
bool release(const MaasClient& maas, const std::string& systemId, const std::string& comment);

// POST machines/{id}/?op=power_on; the machine as MAAS answered.
MaasMachineView powerOn(const MaasClient& maas, const std::string& systemId);

}  // namespace maasprov::common
