#include "ownership.hpp"

namespace maasprov::common {

Owner Owner::fromRequest(const Request& req) {
  Owner o;
  const json::Value& meta = req.metadata();
  const json::Value* uid = meta.find("uid");
  if (uid == nullptr || !uid->isString() || uid->asString().empty()) {
    throw invalidSpec("metadata.uid",
                      "required: the object's uid is its ownership mark (agent_name) in MAAS");
  }
  const json::Value* name = meta.find("name");
  if (name == nullptr || !name->isString() || name->asString().empty()) {
    throw invalidSpec("metadata.name", "required, a non-empty string");
  }
  o.uid = uid->asString();
  o.machine = name->asString();
  const json::Value* ns = meta.find("namespace");
  o.ns = ns != nullptr && ns->isString() ? ns->asString() : "default";
  const json::Value* labels = meta.find("labels");
  const json::Value* cluster = labels == nullptr ? nullptr : labels->find(kClusterNameLabel);
  if (cluster != nullptr && cluster->isString()) {
    o.cluster = cluster->asString();
  } else {
    const json::Value* cm = req.cluster().find("metadata");
    const json::Value* cn = cm == nullptr ? nullptr : cm->find("name");
    o.cluster = cn != nullptr && cn->isString() ? cn->asString() : "";
  }
  return o;
}

Params Owner::annotations() const {
  return {{kAnnotationCluster, cluster}, {kAnnotationNamespace, ns}, {kAnnotationMachine, machine}};
}

bool Owner::annotated(const MaasMachineView& m) const {
  for (const auto& [key, value] : annotations()) {
    auto it = m.workloadAnnotations.find(key);
    // MAAS drops empty values, so an empty one counts as present when absent.
    if (value.empty() ? it != m.workloadAnnotations.end()
                      : (it == m.workloadAnnotations.end() || it->second != value)) {
      return false;
    }
  }
  return true;
}

}  // namespace maasprov::common
