// The reconcile a typical deployed machine gets: read the spec and stored status, check the
// cluster's other machines, and answer a status patch with conditions and a requeue, without
// MAAS calls (those are measured by the provisioning scenario, not the boundary). Compiled both
// into bench-typical.so (through the C ABI) and into the benchmark itself (direct C++ call), so
// both sides run the very same function.
//
// Thread-safety: stateless; safe to call concurrently.
#pragma once

#include <maasprov/plugin.hpp>
#include <string>

namespace maasprov::bench {

class TypicalProvisioner {
 public:
  Result reconcile(const Request& req, Host&) {
    const json::Value& spec = req.spec();
    const json::Value& status = req.status();
    int64_t cpu = spec.getInt("minCPU", 1);
    int64_t memory = spec.getInt("minMemory", 2048);
    std::string image = spec.getString("image", "ubuntu/jammy");
    std::string zone = status.getString("failureDomain");
    int peers = 0;
    for (const auto& m : req.machines()) {
      const json::Value* s = m.find("status");
      if (s != nullptr && s->isObject() && s->getString("failureDomain") == zone) ++peers;
    }
    Result r;
    r.status.set("systemID", status.getString("systemID", "abc123"));
    r.status.set("machineState", "Deployed");
    r.status.set("machinePowered", true);
    r.status.set("ready", true);
    r.status.set("providerID", "maas:///" + zone + "/" + status.getString("systemID", "abc123"));
    json::Value conditions = json::Value::array();
    for (const char* type : {"MachineDeployed", "MachineAllocated", "BootstrapDataReady"}) {
      json::Value c = json::Value::object();
      c.set("type", type);
      c.set("status", "True");
      c.set("reason", "Deployed");
      c.set("message", image + " on " + std::to_string(cpu) + " cores, " + std::to_string(memory) +
                           " MB; " + std::to_string(peers) + " peers in zone");
      conditions.push_back(std::move(c));
    }
    r.status.set("conditions", std::move(conditions));
    r.requeueAfterSeconds = 600;
    return r;
  }

  RemoveResult remove(const Request&, Host&) {
    RemoveResult r;
    r.done = true;
    return r;
  }
};

}  // namespace maasprov::bench
