// example-tagged: a small, complete machine provisioner for provisioningMode "example-tagged".
//
// It reserves (allocates) one MAAS machine matching the MaasMachine's minCPU, minMemory and
// tags, records the machine's system_id with a checkpoint before anything else can fail, reports
// the machine in the status, and releases it on delete. It does not deploy: see the bare-metal
// plugin for that. What it shows: spec validation, MAAS calls through the host, idempotence via
// MAAS's agent_name (a reconcile that lost its status finds the machine it already holds),
// checkpoints, error types, and the remove contract.
#include <maasprov/plugin.hpp>
#include <string>
#include <vector>

namespace {

using maasprov::ErrorType;
using maasprov::Host;
using maasprov::PluginError;
using maasprov::Request;
namespace json = maasprov::json;

struct Spec {
  int64_t minCPU = 0;
  int64_t minMemory = 0;
  std::vector<std::string> tags;
};

// Every field is checked with a message naming it: users fix their spec from this text.
Spec parseSpec(const json::Value& spec) {
  Spec out;
  const json::Value* cpu = spec.find("minCPU");
  if (cpu == nullptr || !cpu->isInt() || cpu->asInt() < 1) {
    throw maasprov::invalidSpec("spec.minCPU", "expected an integer of at least 1");
  }
  const json::Value* mem = spec.find("minMemory");
  if (mem == nullptr || !mem->isInt() || mem->asInt() < 1) {
    throw maasprov::invalidSpec("spec.minMemory", "expected an integer number of MB, at least 1");
  }
  out.minCPU = cpu->asInt();
  out.minMemory = mem->asInt();
  if (const json::Value* tags = spec.find("tags"); tags != nullptr && !tags->isNull()) {
    if (!tags->isArray()) throw maasprov::invalidSpec("spec.tags", "expected a list of strings");
    for (const auto& t : tags->asArray()) {
      if (!t.isString()) throw maasprov::invalidSpec("spec.tags", "expected a list of strings");
      out.tags.push_back(t.asString());
    }
  }
  return out;
}

class TaggedMachine {
 public:
  explicit TaggedMachine(const json::Value& config)
      : requeueSeconds_(config.getInt("requeueSeconds", 30)) {}

  maasprov::Result reconcile(const Request& req, Host& host) {
    Spec spec = parseSpec(req.spec());
    auto maas = host.maas();
    std::string systemID = req.status().getString("systemID");
    if (systemID.empty()) systemID = findOwned(req, host);
    if (systemID.empty()) {
      maasprov::Params params = {{"cpu_count", std::to_string(spec.minCPU)},
                                 {"mem", std::to_string(spec.minMemory)},
                                 {"agent_name", req.uid()}};
      for (const auto& t : spec.tags) params.emplace_back("tags", t);
      auto resp = maas.post("machines/", "allocate", params);
      if (resp.status == 409) {
        throw PluginError(ErrorType::InsufficientResources,
                          "no MAAS machine matches minCPU, minMemory and tags")
            .requeueAfterSeconds(requeueSeconds_);
      }
      systemID = resp.expectOk().json().getString("system_id");
      if (systemID.empty()) throw PluginError(ErrorType::Transient, "allocate gave no system_id");
      // Record what we hold before anything else can fail (a crash now must not leak it).
      host.checkpoint(json::Value(json::Object{{"systemID", systemID}}));
      host.info("allocated " + systemID);
    }
    auto machine = maas.get("machines/" + systemID + "/");
    if (machine.status == 404) {
      throw PluginError(ErrorType::Transient, "machine " + systemID + " vanished from MAAS")
          .status(json::Value(json::Object{{"systemID", nullptr}}));
    }
    json::Value m = machine.expectOk().json();
    maasprov::Result result;
    result.status.set("systemID", systemID);
    result.status.set("hostname", m.getString("hostname"));
    result.status.set("machineState", m.getString("status_name"));
    result.status.set("failureDomain", m.find("zone") ? m.find("zone")->getString("name") : "");
    return result;
  }

  maasprov::RemoveResult remove(const Request& req, Host& host) {
    std::string systemID = req.status().getString("systemID");
    if (systemID.empty()) systemID = findOwned(req, host);
    maasprov::RemoveResult result;
    if (systemID.empty()) {  // never allocated, or already released
      result.done = true;
      return result;
    }
    auto resp = host.maas().post("machines/" + systemID + "/", "release", {}, true);
    if (resp.status != 404) resp.expectOk();
    result.status.set("systemID", nullptr);
    result.done = true;
    return result;
  }

  json::Value describe(Host&) {
    return json::Value(json::Object{{"requeueSeconds", requeueSeconds_}});
  }

 private:
  // The machine allocated for this object earlier, found by its agent_name (the object's uid).
  static std::string findOwned(const Request& req, Host& host) {
    if (req.uid().empty()) throw maasprov::invalidSpec("metadata.uid", "expected a uid");
    json::Value list = host.maas().get("machines/", {{"agent_name", req.uid()}}).expectOk().json();
    if (!list.isArray()) throw PluginError(ErrorType::Transient, "machines list is not a list");
    for (const auto& m : list.asArray()) {
      const std::string status = m.getString("status_name");
      if (status != "Ready" && status != "Releasing" && m.getString("agent_name") == req.uid()) {
        return m.getString("system_id");
      }
    }
    return {};
  }

  int64_t requeueSeconds_;
};

}  // namespace

MAASPROV_PLUGIN(TaggedMachine, "example-tagged", "1.0.0", maasprov::Kind::MachineProvisioner,
                "example-tagged")
