#include "framework/controller/machine_index.hpp"

#include <memory>

#include "framework/model/maas_cluster.hpp"
#include "framework/plugin/request_document.hpp"
#include "framework/store/object_rules.hpp"

namespace maasprov::controller {
namespace {

ObjectView viewOf(Json obj) {
  return ObjectView::fromText(std::make_shared<const std::string>(store::rules::serialize(obj)));
}

}  // namespace

MachineIndex::Update MachineIndex::upsert(Json machine) {
  return upsert(viewOf(machine));
}

MachineIndex::Update MachineIndex::upsert(const ObjectView& machine) {
  Entry fresh;
  fresh.cluster = machine.label(model::kClusterNameLabel);
  fresh.secret = machine.specString("bootstrapDataSecretName");
  fresh.phase = machine.machinePhase();
  fresh.trigger = machine.trigger();
  fresh.clusterView = machine.clusterView();
  fresh.summary = plugin::shareText(machine.peerSummary());
  const NsName key{machine.ns(), machine.name()};

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
  if (!fresh.cluster.empty()) clusters_[{key.first, fresh.cluster}][key.second] = fresh.summary;
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
  for (const auto& [name, summary] : members->second) {
    if (name != exceptName) out.push_back(summary);
  }
  return out;
}

std::vector<std::string> MachineIndex::machinesOf(const std::string& ns,
                                                  const std::string& cluster) const {
  std::lock_guard lock(mutex_);
  auto members = clusters_.find({ns, cluster});
  if (members == clusters_.end()) return {};
  std::vector<std::string> names;
  names.reserve(members->second.size());
  for (const auto& member : members->second) names.push_back(member.first);
  return names;
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
