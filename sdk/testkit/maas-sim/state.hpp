// The simulated MAAS region's operations: machines, VM hosts, DNS resources and the rest of
// api/2.0, with MAAS's semantics and error texts. Every call returns the JSON MAAS would answer
// or throws ApiError with MAAS's status and body.
//
// Ownership: State owns the World. Thread-safety: every public method takes the one state mutex,
// so any number of HTTP worker threads may call it concurrently.
#pragma once

#include <Poco/Dynamic/Var.h>

#include <mutex>
#include <string>

#include "params.hpp"
#include "world.hpp"

namespace maassim {

class State {
 public:
  State(Inventory inventory, Timings timings, uint64_t seed);

  // machines/ and machines/{system_id}/
  Poco::Dynamic::Var ListMachines(const Params& p);
  Poco::Dynamic::Var Allocate(const Params& p);
  Poco::Dynamic::Var GetMachine(const std::string& id);
  Poco::Dynamic::Var UpdateMachine(const std::string& id, const Params& p);
  void DeleteMachine(const std::string& id);
  Poco::Dynamic::Var Deploy(const std::string& id, const Params& p);
  Poco::Dynamic::Var Release(const std::string& id, const Params& p);
  Poco::Dynamic::Var PowerOn(const std::string& id);
  Poco::Dynamic::Var PowerOff(const std::string& id);
  Poco::Dynamic::Var QueryPowerState(const std::string& id);
  Poco::Dynamic::Var SetWorkloadAnnotations(const std::string& id, const Params& p);

  // vm-hosts/ (and the pods/ alias)
  Poco::Dynamic::Var ListVmHosts(const std::string& collection);
  Poco::Dynamic::Var GetVmHost(const std::string& id, const std::string& collection);
  Poco::Dynamic::Var Compose(const std::string& id, const Params& p);
  Poco::Dynamic::Var VmHostParameters(const std::string& id);
  Poco::Dynamic::Var UpdateVmHost(const std::string& id, const Params& p,
                                  const std::string& collection);
  void DeleteVmHost(const std::string& id);

  // dnsresources/
  Poco::Dynamic::Var ListDnsResources(const Params& p);
  Poco::Dynamic::Var GetDnsResource(const std::string& id);
  Poco::Dynamic::Var CreateDnsResource(const Params& p);
  Poco::Dynamic::Var UpdateDnsResource(const std::string& id, const Params& p);
  void DeleteDnsResource(const std::string& id);

  // domains/, zones/, resourcepools/, subnets/, tags/
  Poco::Dynamic::Var ListDomains();
  Poco::Dynamic::Var GetDomain(const std::string& id);
  Poco::Dynamic::Var ListZones();
  Poco::Dynamic::Var GetZone(const std::string& name);
  Poco::Dynamic::Var ListPools();
  Poco::Dynamic::Var GetPool(const std::string& id);
  Poco::Dynamic::Var ListSubnets();
  Poco::Dynamic::Var GetSubnet(const std::string& id);
  Poco::Dynamic::Var ListTags();
  Poco::Dynamic::Var GetTag(const std::string& name);
  Poco::Dynamic::Var CreateTag(const Params& p);
  Poco::Dynamic::Var TagUpdateNodes(const std::string& name, const Params& p);
  Poco::Dynamic::Var TagMachines(const std::string& name);

  // Control surface (outside the MAAS API).
  Poco::Dynamic::Var Dump();
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
