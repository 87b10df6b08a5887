#include "dns_plugin.hpp"

#include "cluster_endpoint.hpp"
#include "control_plane.hpp"
#include "dns_records.hpp"

namespace maasprov::dns {

DnsSettings DnsSettings::fromConfig(const json::Value& config) {
  if (!config.isObject()) throw invalidSpec("plugin configuration", "expected a JSON object");
  DnsSettings s;
  for (const auto& [key, value] : config.asObject()) {
    if (key != "pollSeconds" && key != "addressTTL") {
      throw invalidSpec("plugin configuration \"" + key + "\"",
                        "unknown key; expected pollSeconds or addressTTL");
    }
    if (!value.isInt() || value.asInt() < (key == "pollSeconds" ? 1 : 0)) {
      throw invalidSpec("plugin configuration \"" + key + "\"",
                        "expected a non-negative integer, got " + value.dump());
    }
    if (key == "pollSeconds") s.pollSeconds = value.asInt();
    if (key == "addressTTL") s.addressTTL = value.asInt();
  }
  return s;
}

Result DnsPlugin::reconcile(const Request& req, Host& host) {
  const ClusterEndpoint endpoint = ClusterEndpoint::fromCluster(req.object());
  const auto machines = controlPlaneMachines(req.machines(), endpoint.preferredSubnets);

  Result r;
  json::Value& status = r.status;
  json::Value network = json::Value::object();
  network.set("dnsName", endpoint.host);
  json::Value ep = json::Value::object();
  ep.set("host", endpoint.host);
  ep.set("port", endpoint.port);

  if (endpoint.custom) {  // the user's endpoint: nothing to create or change in MAAS
    status.set("ready", true);
    status.set("network", network);
    r.extra.set("endpoint", ep);
    r.extra.set("machineStatus", attachmentReport(machines, {}, endpoint.host, true));
    return r;
  }

  const MaasClient maas = host.maas();
  const std::vector<IpAddress> desired = desiredAddresses(machines);
  const std::string field =
      endpoint.hostFromSpec ? "spec.controlPlaneEndpoint.host" : "spec.dnsDomain";
  std::optional<DnsRecord> record = findRecord(maas, endpoint.host);  // the one read
  if (!record) {
    record = createRecord(maas, endpoint.host, desired, settings_.addressTTL, field);
    host.info("created DNS resource " + endpoint.host + " with " + std::to_string(desired.size()) +
              " address(es)");
  } else if (!desired.empty() && desired != record->addresses) {
    record = updateRecord(maas, *record, desired);
    host.info("set DNS resource " + endpoint.host + " to " + std::to_string(desired.size()) +
              " address(es)");
  }
  // An empty `desired` keeps the record as it is: every control plane being off for a moment
  // must not empty the cluster's endpoint.

  status.set("ready", true);
  status.set("network", network);
  r.extra.set("endpoint", ep);
  r.extra.set("machineStatus", attachmentReport(machines, record->addresses, endpoint.host, false));
  bool comingUp = false;
  for (const auto& m : machines) {
    comingUp = comingUp || m.notRunning == "NoAddress" || m.notRunning == "MachineNotRunning" ||
               m.notRunning == "MachinePoweredOff";
  }
  if (comingUp) r.requeueAfterSeconds = settings_.pollSeconds;
  return r;
}

RemoveResult DnsPlugin::remove(const Request& req, Host& host) {
  RemoveResult r;
  std::string fqdn;
  try {
    ClusterEndpoint endpoint = ClusterEndpoint::fromCluster(req.object());
    if (endpoint.custom) {
      r.done = true;  // never ours
      return r;
    }
    fqdn = endpoint.host;
  } catch (const PluginError&) {
    // An invalid spec never created a record; a name reported earlier may still exist.
    const json::Value* network = req.status().find("network");
    const json::Value* name = network == nullptr ? nullptr : network->find("dnsName");
    if (name == nullptr || !name->isString() || name->asString().empty()) {
      r.done = true;
      return r;
    }
    fqdn = name->asString();
  }
  const MaasClient maas = host.maas();
  if (auto record = findRecord(maas, fqdn)) {
    deleteRecord(maas, *record);
    host.info("deleted DNS resource " + fqdn);
  }
  r.status.set("ready", false);
  r.done = true;
  return r;
}

json::Value DnsPlugin::describe(Host&) {
  json::Value d = json::Value::object();
  d.set("kind", "cluster-endpoint-provider");
  d.set("pollSeconds", settings_.pollSeconds);
  if (settings_.addressTTL) d.set("addressTTL", *settings_.addressTTL);
  return d;
}

}  // namespace maasprov::dns

MAASPROV_PLUGIN(maasprov::dns::DnsPlugin, "dns", "0.1.0", maasprov::Kind::ClusterEndpointProvider)
