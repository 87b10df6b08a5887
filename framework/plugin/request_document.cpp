#include "framework/plugin/request_document.hpp"

#include <Poco/JSON/Stringifier.h>

#include <array>
#include <sstream>

#include "framework/model/json_text.hpp"

namespace maasprov::plugin {
namespace {

using Json = Poco::JSON::Object::Ptr;

Json objectAt(const Json& obj, const std::string& key) {
  if (!obj || !obj->has(key)) return nullptr;
  return obj->getObject(key);  // null when the value is not an object
}

// Copies `keys` of `from` that are present (and not null) into `to`.
template <std::size_t N>
void copyKeys(const Json& from, Poco::JSON::Object& to, const std::array<const char*, N>& keys) {
  if (!from) return;
  for (const char* key : keys) {
    if (!from->has(key) || from->isNull(key)) continue;
    to.set(key, from->get(key));
  }
}

}  // namespace

std::string peerSummary(const Json& machine) {
  Poco::JSON::Object out;
  if (machine) {
    copyKeys(machine, out, std::array{"apiVersion", "kind"});
    if (Json meta = objectAt(machine, "metadata")) {
      Poco::JSON::Object m;
      copyKeys(meta, m, std::array{"name", "namespace", "uid", "labels", "deletionTimestamp"});
      out.set("metadata", m);
    }
    if (Json spec = objectAt(machine, "spec")) {
      Poco::JSON::Object s;
      copyKeys(spec, s, std::array{"provisioningMode"});
      out.set("spec", s);
    }
    if (Json status = objectAt(machine, "status")) {
      Poco::JSON::Object s;
      copyKeys(status, s,
               std::array{"ready", "systemID", "providerID", "failureDomain", "lxdHost",
                          "machineState", "machinePowered", "addresses"});
      out.set("status", s);
    }
  }
  std::ostringstream text;
  out.stringify(text);
  return text.str();
}

namespace {

// Peers are already JSON texts: joined, not parsed and written again.
void appendPeers(std::string& out, const std::vector<SharedText>& peers) {
  out += '[';
  for (std::size_t i = 0; i < peers.size(); ++i) {
    if (i > 0) out += ',';
    out += *peers[i];
  }
  out += ']';
}

}  // namespace

std::string peersArray(const std::vector<SharedText>& peers) {
  std::size_t size = 2;
  for (const auto& peer : peers) size += peer->size() + 1;
  std::string out;
  out.reserve(size);
  appendPeers(out, peers);
  return out;
}

MachinesFn offerMachines(const PluginLibrary& library, RequestParts& parts,
                         std::vector<SharedText> peers) {
  if (library.abiVersion() < MAASPROV_ABI_VERSION_2) {
    parts.peers = std::move(peers);
    return {};
  }
  parts.machinesInline = false;
  return [peers = std::move(peers)] { return peersArray(peers); };
}

std::string makeRequestDocument(const RequestParts& parts) {
  // Sized once: the texts are most of it (a cluster of 50 sends 49 summaries), and growing a
  // stream by doubling had been a visible share of every reconcile's allocations.
  std::size_t size = 64 + parts.observed.size() +
                     (parts.userDataBase64 ? parts.userDataBase64->size() + 16 : 0) +
                     (parts.objectText ? parts.objectText->size() : 0) +
                     (parts.clusterText ? parts.clusterText->size() : 0);
  for (const auto& peer : parts.peers) size += peer->size() + 1;
  std::string out;
  out.reserve(size);
  const auto document = [&out](const Json& tree, const std::shared_ptr<const std::string>& text) {
    if (text) {
      out += *text;
    } else if (tree) {
      out += model::printObject(*tree);
    } else {
      out += "{}";
    }
  };
  out += "{\"object\":";
  document(parts.object, parts.objectText);
  out += ",\"cluster\":";
  document(parts.cluster, parts.clusterText);
  if (parts.userDataBase64 && !parts.userDataBase64->empty()) {
    std::ostringstream quoted;
    Poco::JSON::Stringifier::stringify(Poco::Dynamic::Var(*parts.userDataBase64), quoted);
    out += ",\"userData\":";
    out += quoted.str();
  }
  if (parts.machinesInline) {
    out += ",\"machines\":";
    appendPeers(out, parts.peers);
  }
  if (!parts.observed.empty()) {
    out += ",\"observed\":";
    out += parts.observed;
  }
  out += '}';
  return out;
}

std::string makeRequestDocument(const Json& object, const Json& cluster,
                                const std::optional<std::string>& userDataBase64,
                                const std::vector<Json>& machines) {
  RequestParts parts;
  parts.object = object;
  parts.cluster = cluster;
  parts.userDataBase64 = userDataBase64;
  parts.peers.reserve(machines.size());
  for (const auto& m : machines) {
    if (m) parts.peers.push_back(shareText(peerSummary(m)));
  }
  return makeRequestDocument(parts);
}

}  // namespace maasprov::plugin
