// The simulated MAAS region's operations: machines, VM hosts, DNS resources and the rest of
// api/2.0, with MAAS's semantics and error texts. Every call returns the JSON text MAAS would
// answer or throws ApiError with MAAS's status and body.
//
// Ownership: State owns the World. Thread-safety: every public method takes the one state mutex,
// so any number of HTTP worker threads may call it concurrently.
#pragma once

#include <mutex>
#include <string>

#include "params.hpp"
#include "world.hpp"

namespace maassim {

class State {
 public:
  State(Inventory inventory, Timings timings, uint64_t seed);

  // machines/ and machines/{system_id}/
  std::string ListMachines(const Params& p);
  std::string Allocate(const Params& p);
  std::string GetMachine(const std::string& id);
  std::string UpdateMachine(const std::string& id, const Params& p);
  void DeleteMachine(const std::string& id);
  std::string Deploy(const std::string& id, const Params& p);
  std::string Release(const std::string& id, const Params& p);
  std::string PowerOn(const std::string& id);
  std::string PowerOff(const std::string& id);
  std::string QueryPowerState(const std::string& id);
  std::string SetWorkloadAnnotations(const std::string& id, const Params& p);

  // vm-hosts/ (and the pods/ alias)
  std::string ListVmHosts(const std::string& collection);
  std::string GetVmHost(const std::string& id, const std::string& collection);
  std::string Compose(const std::string& id, const Params& p);
  std::string VmHostParameters(const std::string& id);
  std::string UpdateVmHost(const std::string& id, const Params& p, const std::string& collection);
  void DeleteVmHost(const std::string& id);

  // dnsresources/
  std::string ListDnsResources(const Params& p);
  std::string GetDnsResource(const std::string& id);
  std::string CreateDnsResource(const Params& p);
  std::string UpdateDnsResource(const std::string& id, const Params& p);
  void DeleteDnsResource(const std::string& id);

  // domains/, zones/, resourcepools/, subnets/, tags/
  std::string ListDomains();
  std::string GetDomain(const std::string& id);
  std::string ListZones();
  std::string GetZone(const std::string& name);
  std::string ListPools();
  std::string GetPool(const std::string& id);
  std::string ListSubnets();
  std::string GetSubnet(const std::string& id);
  std::string ListTags();
  std::string GetTag(const std::string& name);
  std::string CreateTag(const Params& p);
  std::string TagUpdateNodes(const std::string& name, const Params& p);
  std::string TagMachines(const std::string& name);

  // Control surface (outside the MAAS API).
  std::string Dump();
  bool FailNextDeploy(const std::string& system_id);
  // A Commissioning machine ends in Failed commissioning: 0 done, 404/409 as HTTP statuses.
  int FailCommissioning(const std::string& system_id);
  // The next VM composed (with commissioning) on VM host `id` fails commissioning.
  bool FailNextCommissioningOn(const std::string& id);

 private:
  Machine& MachineOr404(const std::string& id);
  VmHost& VmHostOr404(const std::string& id);
  DnsResource& DnsOr404(const std::string& id);
  void ReleaseMachineIps(Machine& m);
  void AssignDeployIps(Machine& m);
  // Composes on `host` with the state mutex held; throws ApiError like op=compose.
  Machine& ComposeLocked(VmHost& host, const Params& p, bool dynamic);
  // MAAS's get_allocated_composed_machine: a VM for an allocate nothing matched, or nullptr.
  Machine* ComposeForAllocate(const Params& p);

  std::mutex mu_;
  World w_;
};

}  // namespace maassim
