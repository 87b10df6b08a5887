#include "framework/controller/machine_index.hpp"

#include <Poco/JSON/Stringifier.h>

#include <functional>
#include <sstream>

#include "framework/controller/machine_reconciler.hpp"
#include "framework/controller/status_writer.hpp"
#include "framework/model/maas_cluster.hpp"
#include "framework/plugin/request_document.hpp"

namespace maasprov::controller {
namespace {

std::string textAt(Json obj, const std::string& key) {
  if (!obj || !obj->has(key)) return "-";
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(obj->get(key), out);
  return out.str();
}

// What a machine's cluster (its endpoint provider) looks at.
std::size_t clusterViewOf(Json obj) {
  Json status = objectAt(obj, "status");
  return std::hash<std::string>{}(textAt(objectAt(obj, "metadata"), "labels") + "|" +
                                  stringAt(obj, {"metadata", "deletionTimestamp"}).value_or("") +
                                  "|" + textAt(status, "addresses") + "|" +
                                  textAt(status, "machinePowered") + "|" +
                                  textAt(status, "machineState") + "|" + textAt(status, "ready"));
}

}  // namespace

std::size_t triggerOf(Json obj) {
  Json meta = objectAt(obj, "metadata");
  return std::hash<std::string>{}(std::to_string(intAt(obj, {"metadata", "generation"})) + "|" +
                                  stringAt(obj, {"metadata", "deletionTimestamp"}).value_or("") +
                                  "|" + textAt(meta, "labels") + "|" + textAt(meta, "annotations"));
}

MachineIndex::Update MachineIndex::upsert(Json machine) {
  Entry fresh;
  Json labels = objectAt(objectAt(machine, "metadata"), "labels");
  fresh.cluster =
      labels ? labels->optValue<std::string>(std::string(model::kClusterNameLabel), "") : "";
  fresh.secret = stringAt(machine, {"spec", "bootstrapDataSecretName"}).value_or("");
  fresh.phase = machinePhase(machine);
  fresh.trigger = triggerOf(machine);
  fresh.clusterView = clusterViewOf(machine);
  fresh.summary = plugin::shareText(plugin::peerSummary(machine));
  const store::ObjectKey objectKey = keyOf(machine);
  const NsName key{objectKey.ns, objectKey.name};

  Update update;
  update.cluster = fresh.cluster;
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    update.firstSight = update.triggerChanged = update.clusterViewChanged = true;
  } else {
    update.triggerChanged = it->second.trigger != fresh.trigger;
    update.clusterViewChanged = it->second.clusterView != fresh.clusterView;
    if (it->second.cluster != fresh.cluster) {
      update.previousCluster = it->second.cluster;
      auto members = clusters_.find({key.first, it->second.cluster});
      if (members != clusters_.end()) {
        members->second.erase(key.second);
        if (members->second.empty()) clusters_.erase(members);
      }
    }
  }
  if (!fresh.cluster.empty()) clusters_[{key.first, fresh.cluster}].insert(key.second);
  entries_[key] = std::move(fresh);
  return update;
}

std::string MachineIndex::erase(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find({ns, name});
  if (it == entries_.end()) return "";
  std::string cluster = std::move(it->second.cluster);
  entries_.erase(it);
  auto members = clusters_.find({ns, cluster});
  if (members != clusters_.end()) {
    members->second.erase(name);
    if (members->second.empty()) clusters_.erase(members);
  }
  return cluster;
}

std::vector<plugin::SharedText> MachineIndex::peers(const std::string& ns,
                                                    const std::string& cluster,
                                                    const std::string& exceptName) const {
  std::vector<plugin::SharedText> out;
  std::lock_guard lock(mutex_);
  auto members = clusters_.find({ns, cluster});
  if (members == clusters_.end()) return out;
  out.reserve(members->second.size());
  for (const auto& name : members->second) {
    if (name == exceptName) continue;
    auto it = entries_.find({ns, name});
    if (it != entries_.end()) out.push_back(it->second.summary);
  }
  return out;
}

std::vector<std::string> MachineIndex::machinesOf(const std::string& ns,
                                                  const std::string& cluster) const {
  std::lock_guard lock(mutex_);
  auto members = clusters_.find({ns, cluster});
  if (members == clusters_.end()) return {};
  return {members->second.begin(), members->second.end()};
}

std::vector<std::string> MachineIndex::usingSecret(const std::string& ns,
                                                   const std::string& secret) const {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  for (auto it = entries_.lower_bound({ns, ""}); it != entries_.end() && it->first.first == ns;
       ++it) {
    if (it->second.secret == secret) out.push_back(it->first.second);
  }
  return out;
}

std::map<std::string, std::size_t> MachineIndex::phases() const {
  std::map<std::string, std::size_t> out;
  std::lock_guard lock(mutex_);
  for (const auto& [_, e] : entries_) ++out[e.phase];
  return out;
}

std::size_t MachineIndex::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace maasprov::controller
