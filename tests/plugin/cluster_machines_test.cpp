// ABI v2's cluster_machines: a request leaves the cluster's other machines out and the plugin
// asks the host for them when it reads them, through the real loader and an SDK plugin.
#include <gtest/gtest.h>

#include <atomic>

#include "framework/plugin/plugin_instance.hpp"
#include "test_support.hpp"

namespace maasprov::plugin {
namespace {

using test::fixture;

// kMachineRequest without its "machines": what the host sends a plugin of ABI v2.
const char* kV2Request = R"({
  "object": {"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1", "kind": "MaasMachine",
             "metadata": {"name": "m0", "namespace": "ns", "uid": "uid-0"},
             "spec": {"minCPU": 2, "minMemory": 4096, "tags": ["a", "b"]}, "status": {}},
  "cluster": {"metadata": {"name": "c"}},
  "userData": "I2Nsb3VkLWNvbmZpZwo="})";

struct Fixture {
  std::shared_ptr<test::RecordingMaas> maas = std::make_shared<test::RecordingMaas>();
  std::shared_ptr<PluginInstance> instance;
  std::atomic<int> asked{0};

  Fixture() {
    maas->response.status = 200;
    maas->response.headers = {{"Content-Type", "application/json"}};
    maas->response.body = R"({"system_id": "x7k2p"})";
    auto env = std::make_shared<HostEnvironment>();
    env->transport = maas.get();
    instance = PluginInstance::create(PluginLibrary::load(fixture("fixture_good")), env);
  }
  CallOptions options(std::string answer) {
    CallOptions o;
    o.objectKey = "ns/m0";
    o.checkpoint = [](const Poco::JSON::Object::Ptr&) {};
    o.machines = [this, answer] {
      ++asked;
      return answer;
    };
    return o;
  }
};

TEST(ClusterMachines, AnSdkPluginSpeaksVersion2) {
  Fixture f;
  EXPECT_EQ(f.instance->library().abiVersion(), MAASPROV_ABI_VERSION_2);
}

TEST(ClusterMachines, APluginReadingThemAsksTheHostOnce) {
  Fixture f;
  // The fixture reads machines() once for its status; the SDK keeps the answer.
  CallOutcome out = f.instance->reconcile(
      kV2Request, f.options(R"([{"metadata": {"name": "m1"}}, {"metadata": {"name": "m2"}}])"));
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(out.status->getValue<int>("peerCount"), 2);
  EXPECT_EQ(f.asked.load(), 1);
}

TEST(ClusterMachines, MachinesInTheRequestItselfAreUsedWithoutAsking) {
  Fixture f;
  CallOutcome out = f.instance->reconcile(test::kMachineRequest, f.options("[]"));
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(out.status->getValue<int>("peerCount"), 1);
  EXPECT_EQ(f.asked.load(), 0);
}

TEST(ClusterMachines, ACallThatDoesNotReadThemNeverAsks) {
  Fixture f;
  CallOutcome out = f.instance->remove(kV2Request, f.options("[]"));
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_TRUE(out.done);
  EXPECT_EQ(f.asked.load(), 0);
}

TEST(ClusterMachines, WithoutAnAnswerTheCallFailsRetryably) {
  Fixture f;
  CallOptions none;
  none.checkpoint = [](const Poco::JSON::Object::Ptr&) {};
  CallOutcome out = f.instance->reconcile(kV2Request, none);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, ErrorType::Transient);
  EXPECT_TRUE(out.error->retryable);
  EXPECT_NE(out.error->message.find("did not answer the cluster's machines (code 9)"),
            std::string::npos)
      << out.error->message;
}

TEST(ClusterMachines, AnAnswerThatIsNotAnArrayIsAClearError) {
  Fixture f;
  CallOutcome out = f.instance->reconcile(kV2Request, f.options(R"({"m1": {}})"));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(
      out.error->message.find("answered the cluster's machines with JSON of type object, not an"),
      std::string::npos)
      << out.error->message;
}

TEST(ClusterMachines, AnAnswerThatIsNotJsonIsAClearError) {
  Fixture f;
  CallOutcome out = f.instance->reconcile(kV2Request, f.options("[{"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, ErrorType::Internal);
  EXPECT_NE(out.error->message.find("malformed JSON"), std::string::npos) << out.error->message;
}

}  // namespace
}  // namespace maasprov::plugin
