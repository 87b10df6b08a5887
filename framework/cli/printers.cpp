#include "framework/cli/printers.hpp"

#include <Poco/JSON/Array.h>

#include <sstream>

#include "framework/cli/cli_error.hpp"
#include "framework/cli/table.hpp"
#include "framework/model/decode.hpp"
#include "framework/model/encode.hpp"

namespace maasprov::cli {
namespace {

std::string labelOf(const model::ObjectMeta& meta, std::string_view key) {
  auto it = meta.labels.find(std::string(key));
  return it == meta.labels.end() ? std::string() : it->second;
}

std::string join(const std::vector<std::string>& items, const std::string& separator = ",") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string firstAddress(const model::MaasMachineStatus& status) {
  for (const char* type : {"InternalIP", "ExternalIP"}) {
    for (const auto& a : status.addresses) {
      if (a.type == type) return a.address;
    }
  }
  return status.addresses.empty() ? std::string() : status.addresses.front().address;
}

std::vector<std::string> withNamespace(bool allNamespaces, const model::ObjectMeta& meta,
                                       std::vector<std::string> cells) {
  if (allNamespaces) cells.insert(cells.begin(), meta.namespace_);
  return cells;
}

std::vector<std::string> headers(bool allNamespaces, std::vector<std::string> names) {
  if (allNamespaces) names.insert(names.begin(), "NAMESPACE");
  return names;
}

void machineTable(std::ostream& out, const std::vector<model::Object>& objects, bool wide,
                  bool allNamespaces) {
  std::vector<std::string> h = {"NAME", "CLUSTER", "MODE", "PHASE", "HOST", "ZONE", "AGE"};
  if (wide) h.insert(h.end(), {"SYSTEM-ID", "STATE", "ADDRESS", "VM-HOST", "CPU", "MEMORY"});
  Table table(headers(allNamespaces, h));
  const auto now = model::now();
  for (const auto& o : objects) {
    const auto& m = std::get<model::MaasMachine>(o);
    const auto& st = m.status;
    std::string host = st.hostname.value_or(st.systemID.value_or(""));
    std::string zone = st.failureDomain.value_or(m.spec.failureDomain.value_or(""));
    std::vector<std::string> row = {m.metadata.name,
                                    labelOf(m.metadata, model::kClusterNameLabel),
                                    std::string(model::toString(model::provisioningModeOf(m.spec))),
                                    machinePhase(m),
                                    host,
                                    zone,
                                    ageOf(m.metadata.creationTimestamp, now)};
    if (wide) {
      row.insert(
          row.end(),
          {st.systemID.value_or(""), st.machineState.value_or(""), firstAddress(st),
           st.lxdHost.value_or(""), m.spec.minCPU ? std::to_string(*m.spec.minCPU) : std::string(),
           m.spec.minMemory ? std::to_string(*m.spec.minMemory) + "M" : std::string()});
    }
    table.addRow(withNamespace(allNamespaces, m.metadata, std::move(row)));
  }
  table.print(out);
}

void clusterTable(std::ostream& out, const std::vector<model::Object>& objects, bool wide,
                  bool allNamespaces) {
  std::vector<std::string> h = {"NAME", "READY", "ENDPOINT", "DOMAIN", "ZONES", "AGE"};
  if (wide) h.insert(h.end(), {"PREFERRED-SUBNETS", "CONDITIONS"});
  Table table(headers(allNamespaces, h));
  const auto now = model::now();
  for (const auto& o : objects) {
    const auto& c = std::get<model::MaasCluster>(o);
    std::string endpoint;
    if (c.spec.controlPlaneEndpoint && c.spec.controlPlaneEndpoint->host) {
      endpoint = *c.spec.controlPlaneEndpoint->host;
      if (c.spec.controlPlaneEndpoint->port) {
        endpoint += ":" + std::to_string(*c.spec.controlPlaneEndpoint->port);
      }
    } else if (c.status.network && c.status.network->dnsName) {
      endpoint = *c.status.network->dnsName;
    }
    std::vector<std::string> row = {c.metadata.name,
                                    c.status.ready ? "true" : "false",
                                    endpoint,
                                    c.spec.dnsDomain.value_or(""),
                                    join(c.spec.failureDomains),
                                    ageOf(c.metadata.creationTimestamp, now)};
    if (wide) {
      std::vector<std::string> conditions;
      for (const auto& cond : c.status.conditions)
        conditions.push_back(cond.type + "=" + cond.status);
      row.insert(row.end(), {join(c.spec.preferredSubnets), join(conditions)});
    }
    table.addRow(withNamespace(allNamespaces, c.metadata, std::move(row)));
  }
  table.print(out);
}

void secretTable(std::ostream& out, const std::vector<model::Object>& objects, bool wide,
                 bool allNamespaces) {
  std::vector<std::string> h = {"NAME", "TYPE", "DATA", "AGE"};
  if (wide) h.insert(h.end(), {"CLUSTER", "KEYS"});
  Table table(headers(allNamespaces, h));
  const auto now = model::now();
  for (const auto& o : objects) {
    const auto& s = std::get<model::Secret>(o);
    std::vector<std::string> row = {s.metadata.name, s.type.value_or(""),
                                    std::to_string(s.data.size()),
                                    ageOf(s.metadata.creationTimestamp, now)};
    if (wide) {
      std::vector<std::string> keys;
      for (const auto& [key, _] : s.data) keys.push_back(key);  // values never leave the server
      row.insert(row.end(), {labelOf(s.metadata, model::kClusterNameLabel), join(keys)});
    }
    table.addRow(withNamespace(allNamespaces, s.metadata, std::move(row)));
  }
  table.print(out);
}

}  // namespace

OutputFormat parseOutputFormat(const std::string& text) {
  if (text.empty() || text == "table") return OutputFormat::Table;
  if (text == "wide") return OutputFormat::Wide;
  if (text == "json") return OutputFormat::Json;
  if (text == "yaml") return OutputFormat::Yaml;
  throw usageError("-o/--output: expected table, wide, json or yaml, got '" + text + "'");
}

std::string machinePhase(const model::MaasMachine& m) {
  if (m.metadata.deletionTimestamp) return "Deleting";
  if (m.status.ready) return "Ready";
  if (m.status.failureReason) return "Failed";
  if (m.status.systemID) return "Provisioning";
  return "Pending";
}

std::string machineProgress(const model::MaasMachine& m) {
  std::string phase = machinePhase(m);
  if (phase == "Ready") return phase;
  if (m.status.failureMessage) return phase + ": " + *m.status.failureMessage;
  if (m.status.machineState) return phase + " (MAAS: " + *m.status.machineState + ")";
  if (const auto* ready = model::findCondition(m.status.conditions, model::kConditionReady)) {
    if (!ready->reason.empty()) return phase + " (" + ready->reason + ")";
  }
  return phase;
}

std::string objectRef(const model::Object& object) {
  return resourceByKind(model::kindOf(object)).singular + "/" + model::metadataOf(object).name;
}

model::Object decodeServerObject(const Poco::JSON::Object::Ptr& json) {
  try {
    return model::decodeObject(json);
  } catch (const model::DecodeError& e) {
    throw CliError(kExitFailed, std::string("cannot read maasprovd's answer (is the CLI the "
                                            "daemon's version?): ") +
                                    e.what());
  }
}

std::vector<model::Object> decodeServerList(const Poco::JSON::Object::Ptr& list) {
  std::vector<model::Object> objects;
  try {
    model::decodeListOrObject(list, objects);
  } catch (const model::DecodeError& e) {
    throw CliError(kExitFailed, std::string("cannot read maasprovd's answer (is the CLI the "
                                            "daemon's version?): ") +
                                    e.what());
  }
  return objects;
}

void printObjects(std::ostream& out, const std::vector<model::Object>& objects,
                  const ResourceType& type, OutputFormat format, bool allNamespaces, bool single) {
  switch (format) {
    case OutputFormat::Json: {
      if (single && objects.size() == 1) {
        out << model::toJsonText(objects.front(), 2) << '\n';
        return;
      }
      Poco::JSON::Object list(Poco::JSON_PRESERVE_KEY_ORDER);
      list.set("apiVersion", "v1");
      list.set("kind", "List");
      Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
      for (const auto& o : objects) items->add(model::toJson(o));
      list.set("items", items);
      list.stringify(out, 2);
      out << '\n';
      return;
    }
    case OutputFormat::Yaml:
      out << model::toYamlText(objects);
      return;
    case OutputFormat::Table:
    case OutputFormat::Wide: {
      const bool wide = format == OutputFormat::Wide;
      if (type.kind == model::kMaasMachineKind) {
        machineTable(out, objects, wide, allNamespaces);
      } else if (type.kind == model::kMaasClusterKind) {
        clusterTable(out, objects, wide, allNamespaces);
      } else {
        secretTable(out, objects, wide, allNamespaces);
      }
      return;
    }
  }
}

}  // namespace maasprov::cli
