// maasprov describe TYPE [NAME...]: a readable page per object: metadata, a spec summary, the
// status and every condition with its reason, message and age.
#include <ostream>
#include <sstream>

#include "framework/cli/api_client.hpp"
#include "framework/cli/cli_error.hpp"
#include "framework/cli/command.hpp"
#include "framework/cli/object_query.hpp"
#include "framework/cli/printers.hpp"
#include "framework/cli/table.hpp"

namespace maasprov::cli {
namespace {

class Page {
 public:
  explicit Page(std::ostream& out) : out_(out) {}
  void field(const std::string& name, const std::string& value, int indent = 0) {
    std::string label = std::string(indent, ' ') + name + ":";
    if (label.size() < 22)
      label.resize(22, ' ');
    else
      label += " ";
    out_ << label << (value.empty() ? "<none>" : value) << '\n';
  }
  void section(const std::string& name) { out_ << name << ":\n"; }
  std::ostream& out() { return out_; }

 private:
  std::ostream& out_;
};

std::string joinMap(const std::map<std::string, std::string>& map, const std::string& sep) {
  std::string out;
  for (const auto& [k, v] : map) out += (out.empty() ? "" : sep) + k + "=" + v;
  return out;
}

std::string joinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

void metadata(Page& p, const model::ObjectMeta& m, std::string_view kind, model::Time now) {
  p.field("Name", m.name);
  p.field("Namespace", m.namespace_);
  p.field("Kind", std::string(kind));
  p.field("Labels", joinMap(m.labels, "\n                      "));
  p.field("Annotations", joinMap(m.annotations, "\n                      "));
  p.field("Created", m.creationTimestamp ? model::formatTime(*m.creationTimestamp) + " (" +
                                               ageOf(m.creationTimestamp, now) + " ago)"
                                         : "");
  if (m.deletionTimestamp) {
    p.field("Deletion requested", model::formatTime(*m.deletionTimestamp) + " (" +
                                      ageOf(m.deletionTimestamp, now) + " ago)");
  }
  p.field("Finalizers", joinList(m.finalizers));
  p.field("Generation", std::to_string(m.generation));
}

void conditions(Page& p, const std::vector<model::Condition>& list, model::Time now) {
  p.section("Conditions");
  if (list.empty()) {
    p.out() << "  <none>\n";
    return;
  }
  Table table({"  TYPE", "STATUS", "SEVERITY", "REASON", "AGE", "MESSAGE"});
  for (const auto& c : list) {
    table.addRow({"  " + c.type, c.status, c.severity, c.reason, ageOf(c.lastTransitionTime, now),
                  c.message});
  }
  table.print(p.out());
}

void describeMachine(Page& p, const model::MaasMachine& m, model::Time now) {
  metadata(p, m.metadata, model::kMaasMachineKind, now);
  const auto& s = m.spec;
  p.section("Spec");
  p.field("Mode", std::string(model::toString(model::provisioningModeOf(s))), 2);
  p.field("Image", s.image.value_or(""), 2);
  p.field("CPU (min)", s.minCPU ? std::to_string(*s.minCPU) + " cores" : "", 2);
  p.field("Memory (min)", s.minMemory ? std::to_string(*s.minMemory) + " MB" : "", 2);
  p.field("Zone", s.failureDomain.value_or("any"), 2);
  p.field("Resource pool", s.resourcePool.value_or("any"), 2);
  if (!s.tags.empty()) p.field("Tags", joinList(s.tags), 2);
  if (s.systemID) p.field("System ID", *s.systemID, 2);
  if (s.lxdConfig) {
    const auto& l = *s.lxdConfig;
    std::string storage = l.storage ? l.storage->size.value_or("") : "";
    if (l.storage && l.storage->pool) storage += " in pool " + *l.storage->pool;
    p.field("LXD storage", storage, 2);
    if (l.vmHost) p.field("LXD VM host", *l.vmHost, 2);
    if (l.profile) p.field("LXD profile", *l.profile, 2);
    if (l.project) p.field("LXD project", *l.project, 2);
    if (l.network && l.network->bridge) p.field("LXD bridge", *l.network->bridge, 2);
  }
  p.field("User data",
          s.bootstrapDataSecretName ? "from Secret " + *s.bootstrapDataSecretName
          : s.userData              ? std::string("inline (redacted)")
                                    : std::string("none (the controller waits)"),
          2);
  const auto& st = m.status;
  p.section("Status");
  p.field("Phase", machinePhase(m), 2);
  p.field("Ready", st.ready ? "true" : "false", 2);
  p.field("MAAS state", st.machineState.value_or(""), 2);
  p.field("Powered", st.machinePowered ? "on" : "off", 2);
  p.field("Hostname", st.hostname.value_or(""), 2);
  p.field("System ID", st.systemID.value_or(""), 2);
  p.field("Provider ID", st.providerID.value_or(""), 2);
  p.field("Zone", st.failureDomain.value_or(""), 2);
  if (!st.discardedSystemIDs.empty()) {
    p.field("Given up", joinList(st.discardedSystemIDs), 2);
  }
  std::string addresses;
  for (const auto& a : st.addresses) {
    addresses += (addresses.empty() ? "" : ", ") + a.address + " (" + a.type + ")";
  }
  p.field("Addresses", addresses, 2);
  p.field("DNS attached", st.dnsAttached ? "true" : "false", 2);
  if (st.lxdHost) p.field("VM host", *st.lxdHost, 2);
  if (st.lxdProject) p.field("LXD project", *st.lxdProject, 2);
  if (st.vmResourceUsage) {
    const auto& u = *st.vmResourceUsage;
    p.field("VM resources",
            std::to_string(u.allocatedCores) + " cores, " + std::to_string(u.allocatedMemory) +
                " MB, " + std::to_string(u.allocatedDisk) + " GB",
            2);
  }
  if (st.failureReason || st.failureMessage) {
    p.field("Failure", st.failureReason.value_or("") + ": " + st.failureMessage.value_or(""), 2);
  }
  p.field("Observed generation", std::to_string(st.observedGeneration), 2);
  conditions(p, st.conditions, now);
}

void describeCluster(Page& p, const model::MaasCluster& c, model::Time now) {
  metadata(p, c.metadata, model::kMaasClusterKind, now);
  p.section("Spec");
  p.field("DNS domain", c.spec.dnsDomain.value_or(""), 2);
  std::string endpoint;
  if (c.spec.controlPlaneEndpoint) {
    endpoint = c.spec.controlPlaneEndpoint->host.value_or("") + ":" +
               std::to_string(c.spec.controlPlaneEndpoint->port.value_or(0));
  }
  p.field("Endpoint", endpoint.empty() ? "managed in MAAS DNS" : endpoint, 2);
  p.field("Failure domains", joinList(c.spec.failureDomains), 2);
  p.field("Preferred subnets", joinList(c.spec.preferredSubnets), 2);
  p.section("Status");
  p.field("Ready", c.status.ready ? "true" : "false", 2);
  p.field("DNS name", c.status.network ? c.status.network->dnsName.value_or("") : "", 2);
  std::vector<std::string> zones;
  for (const auto& [zone, fd] : c.status.failureDomains) {
    zones.push_back(zone + (fd.controlPlane ? " (control plane)" : ""));
  }
  p.field("Failure domains", joinList(zones), 2);
  p.field("Observed generation", std::to_string(c.status.observedGeneration), 2);
  conditions(p, c.status.conditions, now);
}

void describeSecret(Page& p, const model::Secret& s, model::Time now) {
  metadata(p, s.metadata, model::kSecretKind, now);
  p.field("Type", s.type.value_or(""));
  p.section("Data (values are never shown)");
  if (s.data.empty()) p.out() << "  <none>\n";
  for (const auto& [key, _] : s.data) p.out() << "  " << key << '\n';
}

}  // namespace

Command describeCommand() {
  Command c;
  c.name = "describe";
  c.usage = "describe maasmachines|maasclusters|secrets [NAME...] [-n NS | -A] [-l SELECTOR]";
  c.summary = "show an object's spec, status and conditions with reasons and ages";
  c.defineOptions = [](Poco::Util::OptionSet& options) {
    addNamespaceOptions(options, true);
    addSelectorOption(options);
  };
  c.run = [](const Invocation& inv, Terminal& term) {
    if (inv.args.empty()) {
      throw usageError("describe: name a type: maasmachines, maasclusters or secrets");
    }
    const auto& type = resourceByName(inv.args[0]);
    auto client = inv.client();
    int missing = 0;
    auto objects = fetchObjects(inv, term, type, *client, missing);
    const auto now = model::now();
    bool first = true;
    for (const auto& o : objects) {
      if (!first) term.out << '\n';
      first = false;
      Page page(term.out);
      if (auto* m = std::get_if<model::MaasMachine>(&o)) describeMachine(page, *m, now);
      if (auto* cl = std::get_if<model::MaasCluster>(&o)) describeCluster(page, *cl, now);
      if (auto* s = std::get_if<model::Secret>(&o)) describeSecret(page, *s, now);
    }
    if (objects.empty() && missing == 0) {
      term.err << "No " << type.plural << " found." << std::endl;
    }
    if (missing > 0) {
      throw CliError(kExitFailed, std::to_string(missing) + " of " +
                                      std::to_string(inv.args.size() - 1) + " " + type.plural +
                                      " not found");
    }
    return kExitOk;
  };
  return c;
}

}  // namespace maasprov::cli
