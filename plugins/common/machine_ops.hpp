// The MAAS machine operations provisioners share, over the host's MAAS client. Every function
// throws maasprov::PluginError (Transient, retryable) for a transport failure or an answer it
// cannot use, naming the call; outcomes callers must act on are returned instead.
//
// Ownership: functions borrow the MaasClient for the duration of the call.
// Thread-safety: stateless; safe to call concurrently for different objects.
#pragma once

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
// system_id, agent_name, and with bareMetalOnly not_pod_type=lxd and not_pod_type=virsh (every
// VM host type MAAS 3.x has: no machine of, and no VM composed on, any VM host).
Params allocateParams(const AllocateConstraints& c, const std::string& agentName);

struct AllocateResult {
  std::optional<MaasMachineView> machine;  // allocated, carrying agent_name
  std::string noMatch;                     // MAAS's 409 text when nothing matched
};

// Allocates with every constraint, one request. A 400 naming a
// constraint (unknown tag, zone, pool) throws InvalidSpec naming the spec field; it stays
// retryable (with a long requeue) because an operator may create the tag or zone in MAAS.
AllocateResult allocate(const MaasClient& maas, const AllocateConstraints& c,
                        const std::string& agentName);

// Sets the owner's workload annotations on the machine.
void annotate(const MaasClient& maas, const std::string& systemId, const Owner& owner);

struct DeployResult {
  std::optional<MaasMachineView> machine;  // set when MAAS accepted the deployment
  int httpStatus = 0;                      // MAAS's answer when it refused
  std::string error;                       // MAAS's text when it refused (never user data)
};

// POST machines/{id}/?op=deploy with user_data (base64, as given) and distro_series.
DeployResult deploy(const MaasClient& maas, const std::string& systemId,
                    const std::string& userDataBase64, const DistroSeries& image);

// POST machines/{id}/?op=release. False when MAAS no longer knows the machine (404: gone);
// true when it is releasing (or already released). Throws Transient otherwise.
bool release(const MaasClient& maas, const std::string& systemId, const std::string& comment);

// POST machines/{id}/?op=power_on; the machine as MAAS answered.
MaasMachineView powerOn(const MaasClient& maas, const std::string& systemId);

}  // namespace maasprov::common
