// A plugin compiled against the frozen v1 header, driven by the current host through the real
// loader: negotiation, host services (MAAS call, checkpoint, log) and results.
#include <gtest/gtest.h>

#include "framework/plugin/plugin_instance.hpp"
#include "framework/plugin/request_document.hpp"

namespace maasprov::plugin {
namespace {

class VersionOnlyMaas : public maas::Transport {
 public:
  std::vector<maas::Request> seen;
  maas::Response send(const maas::Request& request) override {
    seen.push_back(request);
    return {200, {{"Content-Type", "application/json"}}, R"({"version": "3.4.0"})"};
  }
};

TEST(AbiV1, FrozenV1PluginLoadsAndWorksInTheCurrentHost) {
  auto lib = PluginLibrary::load(MAASPROV_ABI_V1_PLUGIN);
  EXPECT_EQ(lib->abiVersion(), 1u);
  EXPECT_EQ(lib->name(), "abi-v1");
  VersionOnlyMaas maas;
  auto env = std::make_shared<HostEnvironment>();
  env->transport = &maas;
  auto instance = PluginInstance::create(lib, env);
  int checkpoints = 0;
  CallOptions options;
  options.checkpoint = [&](const Poco::JSON::Object::Ptr& s) {
    EXPECT_EQ(s->getValue<int>("maasVersionBytes"), 20);
    ++checkpoints;
  };
  auto out = instance->reconcile(R"({"object": {"spec": {"minCPU": 2}}})", options);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(out.status->getValue<int>("maasVersionBytes"), 20);
  EXPECT_EQ(checkpoints, 1);
  ASSERT_EQ(maas.seen.size(), 1u);
  EXPECT_EQ(maas.seen[0].path, "version/");
  EXPECT_TRUE(maas.seen[0].idempotent);

  auto invalid = instance->reconcile(R"({"object": {"spec": {"minCPU": "x"}}})");
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error->type, ErrorType::InvalidSpec);
  EXPECT_FALSE(invalid.error->retryable);
  EXPECT_EQ(instance->describe().document->getValue<int>("abi"), 1);
}

// ABI v2 moved the cluster's machines out of the request; a v1 plugin must keep getting them
// in it, as the controller builds its requests.
TEST(AbiV1, TheControllerKeepsTheMachinesInAV1PluginsRequest) {
  auto lib = PluginLibrary::load(MAASPROV_ABI_V1_PLUGIN);
  RequestParts parts;
  MachinesFn onDemand = offerMachines(*lib, parts, {shareText(R"({"metadata":{"name":"m1"}})")});
  EXPECT_FALSE(onDemand);  // a v1 plugin reads them from its request, never asks
  const std::string request = makeRequestDocument(parts);
  EXPECT_NE(request.find(R"("machines":[{"metadata":{"name":"m1"}}])"), std::string::npos)
      << request;
}

}  // namespace
}  // namespace maasprov::plugin
