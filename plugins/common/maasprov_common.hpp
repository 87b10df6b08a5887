// maasprov_plugin_common: what every MAAS-backed machine provisioner shares (bare metal, LXD).
//
// A static library built with the SDK only (no framework/ header, no Poco), PIC and with hidden
// visibility, so it can be linked into any plugin .so. Include this umbrella header, or the
// one-concept headers it lists:
//
//   image.hpp           spec.image -> MAAS deploy distro_series ("ubuntu/jammy", "jammy",
//                       "22.04", "ubuntu/22.04", "centos/8", custom image names).
//   maas_machine.hpp    MaasMachineView: the parts of a MAAS machine JSON we read (system_id,
//                       hostname, fqdn, status_name, power_state, zone, pool, ip_addresses,
//                       workload annotations, pod); status-name constants.
//   machine_status.hpp  MAAS machine -> MaasMachine status fields (systemID, providerID
//                       "<scheme>://<zone>/<system_id>", hostname, machineState, machinePowered,
//                       addresses ExternalIP/InternalIP per IP + ExternalDNS/InternalDNS for the
//                       fqdn, failureDomain).
//   conditions.hpp      Condition, withCondition() (lastTransitionTime moves only on a status
//                       change), findCondition(), RFC 3339 UTC clock.
//   ownership.hpp       Owner (agent_name = object uid; workload annotations naming cluster,
//                       namespace and machine), read from the request document.
//   machine_spec.hpp    parseMachineSpec(): allocation constraints + image from the spec, every
//                       invalid field reported at once by path.
//   machine_ops.hpp     MAAS calls: listHeld (GET machines/?agent_name=<uid>), allocate (every
//                       constraint, repeated tags, never a VM), annotate, deploy (user data +
//                       distro_series), release, powerOn.
//   deployment.hpp      DeploymentDriver: drives a machine this object already holds
//                       (Allocated -> deploy, Deploying -> wait, Deployed -> power on if off,
//                       Failed deployment -> release and retry with bounded backoff, then a
//                       terminal failure) and builds the status and MachineDeployed condition.
//
// Ownership: every type here is a value type or borrows a maasprov::MaasClient for one call.
// Thread-safety: no shared mutable state; all functions are safe to call concurrently for
// different objects (reconcile/remove run concurrently on one plugin instance).
#pragma once

#include "conditions.hpp"
#include "deployment.hpp"
#include "image.hpp"
#include "maas_machine.hpp"
#include "machine_ops.hpp"
#include "machine_spec.hpp"
#include "machine_status.hpp"
#include "ownership.hpp"
