// The request document a plugin receives: the documented shape, peers as summaries that keep
// what plugins read (placement, role, addresses, power) and drop the rest (spec, user data,
// conditions), and the poller's observation.
#include "framework/plugin/request_document.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace maasprov::plugin {
namespace {

TEST(RequestDocument, HasTheDocumentedShape) {
  auto machine = test::parseObject(R"({"metadata": {"name": "m0"}})");
  auto peer = test::parseObject(R"({"metadata": {"name": "m1"}})");
  auto doc =
      test::parseObject(makeRequestDocument(machine, nullptr, std::string("dXNlcg=="), {peer}));
  EXPECT_EQ(doc->getObject("object")->getObject("metadata")->getValue<std::string>("name"), "m0");
  EXPECT_EQ(doc->getObject("cluster")->size(), 0u);
  EXPECT_EQ(doc->getValue<std::string>("userData"), "dXNlcg==");
  EXPECT_EQ(doc->getArray("machines")->size(), 1u);
  EXPECT_FALSE(doc->has("observed"));
  auto noUserData = test::parseObject(makeRequestDocument(machine, machine, std::nullopt, {}));
  EXPECT_FALSE(noUserData->has("userData"));
}

// For a plugin of ABI v2 the peers stay out of the request; cluster_machines answers them.
TEST(RequestDocument, MachinesCanBeLeftOutAndAnsweredApart) {
  RequestParts parts;
  parts.peers = {shareText(R"({"metadata":{"name":"m1"}})"),
                 shareText(R"({"metadata":{"name":"m2"}})")};
  parts.machinesInline = false;
  auto doc = test::parseObject(makeRequestDocument(parts));
  EXPECT_FALSE(doc->has("machines"));
  EXPECT_EQ(peersArray(parts.peers), R"([{"metadata":{"name":"m1"}},{"metadata":{"name":"m2"}}])");
  EXPECT_EQ(peersArray({}), "[]");
}

// The stored texts of the object and its cluster, when the host has them, are sent as they are
// (the same documents, not printed again).
TEST(RequestDocument, StoredTextsAreSentInsteadOfTheTrees) {
  RequestParts parts;
  parts.object = test::parseObject(R"({"metadata": {"name": "tree"}})");
  parts.objectText = std::make_shared<const std::string>(R"({"metadata":{"name":"m0"}})");
  parts.clusterText = std::make_shared<const std::string>(R"({"metadata":{"name":"c1"}})");
  auto doc = test::parseObject(makeRequestDocument(parts));
  EXPECT_EQ(doc->getObject("object")->getObject("metadata")->getValue<std::string>("name"), "m0");
  EXPECT_EQ(doc->getObject("cluster")->getObject("metadata")->getValue<std::string>("name"), "c1");
  parts.objectText.reset();
  doc = test::parseObject(makeRequestDocument(parts));
  EXPECT_EQ(doc->getObject("object")->getObject("metadata")->getValue<std::string>("name"), "tree");
}

TEST(RequestDocument, PeersKeepPlacementRoleAndAddressesOnly) {
  auto peer = test::parseObject(R"({
    "apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1", "kind": "MaasMachine",
    "metadata": {"name": "cp-1", "namespace": "prod", "uid": "u-1", "generation": 4,
                 "labels": {"cluster.x-k8s.io/cluster-name": "c1",
                            "cluster.x-k8s.io/control-plane": ""},
                 "annotations": {"big": "xxxxxxxx"}, "deletionTimestamp": "2026-11-25T10:00:00Z",
                 "finalizers": ["maasmachine.infrastructure.cluster.x-k8s.io"]},
    "spec": {"provisioningMode": "lxd", "userData": "c2VjcmV0", "minCPU": 4},
    "status": {"ready": true, "systemID": "abc123", "failureDomain": "zone-a",
               "lxdHost": "lxd-a1", "machineState": "Deployed", "machinePowered": true,
               "addresses": [{"type": "InternalIP", "address": "10.0.0.5"}],
               "conditions": [{"type": "Ready", "status": "True"}],
               "failureMessage": null}})");
  auto s = test::parseObject(peerSummary(peer));
  auto meta = s->getObject("metadata");
  EXPECT_EQ(meta->getValue<std::string>("name"), "cp-1");
  EXPECT_EQ(meta->getValue<std::string>("namespace"), "prod");
  EXPECT_EQ(meta->getValue<std::string>("uid"), "u-1");
  EXPECT_EQ(meta->getValue<std::string>("deletionTimestamp"), "2026-11-25T10:00:00Z");
  EXPECT_TRUE(meta->getObject("labels")->has("cluster.x-k8s.io/control-plane"));
  EXPECT_FALSE(meta->has("annotations"));
  EXPECT_FALSE(meta->has("finalizers"));
  auto spec = s->getObject("spec");
  EXPECT_EQ(spec->getValue<std::string>("provisioningMode"), "lxd");
  EXPECT_FALSE(spec->has("userData")) << "a peer's user data must not reach another plugin call";
  auto status = s->getObject("status");
  EXPECT_TRUE(status->getValue<bool>("ready"));
  EXPECT_EQ(status->getValue<std::string>("lxdHost"), "lxd-a1");
  EXPECT_EQ(status->getValue<std::string>("failureDomain"), "zone-a");
  EXPECT_EQ(status->getValue<std::string>("machineState"), "Deployed");
  EXPECT_TRUE(status->getValue<bool>("machinePowered"));
  EXPECT_EQ(status->getArray("addresses")->size(), 1u);
  EXPECT_FALSE(status->has("conditions"));
  EXPECT_FALSE(status->has("failureMessage"));
}

TEST(RequestDocument, CarriesTheObservedMachineWhenGiven) {
  RequestParts parts;
  parts.object = test::parseObject(R"({"metadata": {"name": "m0"}})");
  parts.peers = {shareText(R"({"metadata":{"name":"m1"}})"),
                 shareText(R"({"metadata":{"name":"m2"}})")};
  parts.observed = R"({"system_id": "abc123", "status_name": "Deployed"})";
  auto doc = test::parseObject(makeRequestDocument(parts));
  EXPECT_EQ(doc->getArray("machines")->size(), 2u);
  EXPECT_EQ(doc->getObject("observed")->getValue<std::string>("status_name"), "Deployed");
  EXPECT_EQ(doc->getObject("cluster")->size(), 0u);
}

TEST(RequestDocument, EscapesUserData) {
  RequestParts parts;
  parts.userDataBase64 = std::string("a\"b\\c");
  auto doc = test::parseObject(makeRequestDocument(parts));
  EXPECT_EQ(doc->getValue<std::string>("userData"), "a\"b\\c");
}

}  // namespace
}  // namespace maasprov::plugin
