// A typical reconcile request document (plugin_abi.h) as the host sends it now: a deployed LXD
// control-plane MaasMachine as the store holds it (metadata, spec, status with conditions), its
// cluster, 1 KiB of base64 user data and the summaries (plugin::peerSummary) of two other
// machines of the cluster, put together by plugin::makeRequestDocument. No "observed" MAAS
// machine: that rides along only when the poller has just read it. About 4.5 KB of JSON. Plugins
// of ABI v2 get it without the peers and ask for them (typicalV2Request, typicalMachines).
//
// Thread-safety: the texts are built once (function-local statics).
#pragma once

#include <Poco/JSON/Parser.h>

#include <string>

#include "framework/plugin/request_document.hpp"

namespace maasprov::bench {

inline std::string typicalMachine(const std::string& name, const std::string& zone) {
  return R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",)"
         R"("metadata":{"name":")" +
         name +
         R"(","namespace":"default",)"
         R"("uid":"6f1c1d2e-8a57-4c61-9a0b-2f4f0d3c)" +
         std::to_string(name.size()) +
         R"(aa1",)"
         R"("generation":1,"resourceVersion":"48213","creationTimestamp":"2026-11-25T08:00:00Z",)"
         R"("labels":{"cluster.x-k8s.io/cluster-name":"c1","cluster.x-k8s.io/control-plane":""},)"
         R"("annotations":{"maasprov.io/owner":"platform-team"},)"
         R"("finalizers":["maasmachine.infrastructure.cluster.x-k8s.io"]},)"
         R"("spec":{"minCPU":2,"minMemory":4096,"image":"ubuntu/jammy","provisioningMode":"lxd",)"
         R"("tags":["k8s"],"lxdConfig":{"storage":{"size":"20G"},"network":{"bridge":"br0"}}},)"
         R"("status":{"ready":true,"systemID":"x7k2pq","providerID":"maas:///)" +
         zone + R"(/x7k2pq","machineState":"Deployed","machinePowered":true,"failureDomain":")" +
         zone + R"(","lxdHost":"lxd-)" + zone + R"(-3","lxdProject":"default","hostname":")" +
         name +
         R"(-k2j4d","addresses":[{"type":"InternalIP","address":"10.0.3.17"},)"
         R"({"type":"Hostname","address":")" +
         name +
         R"(-k2j4d"}],)"
         R"("vmResourceUsage":{"allocatedCores":2,"allocatedMemory":4096,"allocatedDisk":20},)"
         R"("observedGeneration":1,"conditions":[)"
         R"({"type":"Ready","status":"True","lastTransitionTime":"2026-11-25T08:01:10Z"},)"
         R"({"type":"LXDHostSelected","status":"True","reason":"Selected","message":"lxd-zone-a-3 in zone-a","lastTransitionTime":"2026-11-25T08:00:01Z"},)"
         R"({"type":"LXDVMCreated","status":"True","reason":"VMCreated","lastTransitionTime":"2026-11-25T08:00:03Z"},)"
         R"({"type":"LXDVMDeployed","status":"True","reason":"Deployed","lastTransitionTime":"2026-11-25T08:01:10Z"},)"
         R"({"type":"MachineDeployed","status":"True","reason":"Deployed","lastTransitionTime":"2026-11-25T08:01:10Z"},)"
         R"({"type":"ResourcesAllocated","status":"True","reason":"Allocated","lastTransitionTime":"2026-11-25T08:00:03Z"}]}})";
}

inline std::string typicalCluster() {
  return R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasCluster",)"
         R"("metadata":{"name":"c1","namespace":"default","uid":"0b7d8c51-3d0e-4a8b-9f7e-1c2d3e4f5a6b",)"
         R"("generation":1,"resourceVersion":"48001"},)"
         R"("spec":{"dnsDomain":"maas","failureDomains":["zone-a","zone-b","zone-c"],)"
         R"("controlPlaneEndpoint":{"host":"c1.maas","port":6443}},)"
         R"("status":{"ready":true,"failureDomains":{"zone-a":{"controlPlane":true},)"
         R"("zone-b":{"controlPlane":true},"zone-c":{"controlPlane":true}}}})";
}

inline std::string typicalUserData() {
  return std::string(1368, 'A');  // 1 KiB of cloud-init, base64
}

inline Poco::JSON::Object::Ptr parsedObject(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

// The summaries of the two other machines, as the host keeps them.
inline const std::vector<plugin::SharedText>& typicalPeers() {
  static const std::vector<plugin::SharedText> peers = {
      plugin::shareText(plugin::peerSummary(parsedObject(typicalMachine("c1-cp-1", "zone-b")))),
      plugin::shareText(plugin::peerSummary(parsedObject(typicalMachine("c1-cp-2", "zone-c"))))};
  return peers;
}

// `machinesInline`: the whole request, as ABI v1 has it (and any plugin reads it in the end);
// false: as the host sends it to a plugin of ABI v2, which asks for the peers (cluster_machines).
inline std::string makeTypicalRequest(bool machinesInline) {
  plugin::RequestParts parts;
  parts.object = parsedObject(typicalMachine("c1-cp-0", "zone-a"));
  parts.cluster = parsedObject(typicalCluster());
  parts.userDataBase64 = typicalUserData();
  parts.peers = typicalPeers();
  parts.machinesInline = machinesInline;
  return plugin::makeRequestDocument(parts);
}

inline const std::string& typicalRequest() {
  static const std::string text = makeTypicalRequest(true);
  return text;
}

inline const std::string& typicalV2Request() {
  static const std::string text = makeTypicalRequest(false);
  return text;
}

// What answers the plugin's cluster_machines, as the controller answers it.
inline plugin::MachinesFn typicalMachines() {
  return [] { return plugin::peersArray(typicalPeers()); };
}

}  // namespace maasprov::bench
