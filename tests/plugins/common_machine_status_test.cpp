// plugins/common: real MAAS machine payloads (gomaasclient fixtures) become the status users
// read, and conditions keep their transition time unless their status changes.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "conditions.hpp"
#include "maas_machine.hpp"
#include "maasprov/error.hpp"
#include "machine_status.hpp"

namespace maasprov::common {
namespace {

std::string fixtureText(const std::string& name) {
  std::ifstream in(std::string(MAASPROV_FIXTURES_DIR) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

json::Value fixture(const std::string& name) {
  return json::parse(fixtureText(name));
}

bool sameView(const MaasMachineView& a, const MaasMachineView& b) {
  return a.systemId == b.systemId && a.hostname == b.hostname && a.fqdn == b.fqdn &&
         a.statusName == b.statusName && a.powerState == b.powerState && a.zone == b.zone &&
         a.pool == b.pool && a.podName == b.podName && a.ipAddresses == b.ipAddresses &&
         a.workloadAnnotations == b.workloadAnnotations;
}

MaasResponse answer(std::string body) {
  MaasResponse r;
  r.status = 200;
  r.body = std::move(body);
  r.what = "GET machines/";
  return r;
}

std::vector<std::string> addressesOf(const json::Value& status, const char* type) {
  std::vector<std::string> out;
  for (const auto& a : status.find("addresses")->asArray()) {
    if (a.getString("type") == type) out.push_back(a.getString("address"));
  }
  return out;
}

TEST(MachineStatus, RealMachinePayloadBecomesTheStatusFields) {
  MaasMachineView m = MaasMachineView::fromJson(fixture("machine.json"));
  json::Value s = machineStatusFields(m, kBareMetalScheme);
  EXPECT_EQ(s.getString("systemID"), "g8xyqs");
  EXPECT_EQ(s.getString("providerID"), "maas://zone-north/g8xyqs");
  EXPECT_EQ(s.getString("failureDomain"), "zone-north");
  EXPECT_EQ(s.getString("hostname"), "causal-quagga");
  EXPECT_EQ(s.getString("machineState"), "Failed to exit rescue mode");
  EXPECT_FALSE(s.getBool("machinePowered", true));  // power_state "error" is not on
  EXPECT_TRUE(addressesOf(s, "ExternalIP").empty());
  EXPECT_EQ(addressesOf(s, "ExternalDNS"), std::vector<std::string>{"causal-quagga.maas"});
  EXPECT_EQ(addressesOf(s, "InternalDNS"), std::vector<std::string>{"causal-quagga.maas"});
  EXPECT_EQ(m.podName, "sacred-hen");
  EXPECT_EQ(machineStatusFields(m, kLxdScheme).getString("providerID"),
            "maas-lxd://zone-north/g8xyqs");
}

TEST(MachineStatus, EveryIpIsBothExternalAndInternal) {
  MaasMachineView m = MaasMachineView::fromJson(fixture("machines.json").asArray().at(0));
  json::Value s = machineStatusFields(m, kBareMetalScheme);
  std::vector<std::string> ips = {"10.55.32.135", "192.168.122.1"};
  EXPECT_EQ(addressesOf(s, "ExternalIP"), ips);
  EXPECT_EQ(addressesOf(s, "InternalIP"), ips);
}

TEST(MachineStatus, SomethingThatIsNotAMachineIsATransientErrorNamingTheMember) {
  for (const char* text : {"[]", "{}", R"({"system_id": 5})"}) {
    try {
      MaasMachineView::fromJson(json::parse(text));
      ADD_FAILURE() << text;
    } catch (const PluginError& e) {
      EXPECT_EQ(e.type(), ErrorType::Transient) << text;
      EXPECT_TRUE(e.isRetryable());
    }
  }
}

// The view read from MAAS's text, building only what it reads, is the view of the whole value.
TEST(MachineStatus, AViewFromTextIsTheViewFromTheWholeMachine) {
  const std::string machine = fixtureText("machine.json");
  EXPECT_TRUE(sameView(MaasMachineView::fromText(machine),
                       MaasMachineView::fromJson(json::parse(machine))));
  EXPECT_TRUE(sameView(MaasMachineView::fromResponse(answer(machine)),
                       MaasMachineView::fromJson(json::parse(machine))));
  const std::string list = fixtureText("machines.json");
  const auto views = MaasMachineView::listFromResponse(answer(list));
  const json::Value whole = json::parse(list);
  ASSERT_EQ(views.size(), whole.asArray().size());
  ASSERT_FALSE(views.empty());
  for (std::size_t i = 0; i < views.size(); ++i) {
    EXPECT_TRUE(sameView(views[i], MaasMachineView::fromJson(whole.asArray()[i]))) << i;
  }
  EXPECT_FALSE(views[0].ipAddresses.empty());
}

// What MAAS sent that is not a machine (or a list of them) is the Transient error naming the call
// or the member, as when the whole answer was built.
TEST(MachineStatus, AnAnswerThatIsNotAMachineIsATransientErrorNamingTheCall) {
  const auto transient = [](const auto& call, const std::string& body, const std::string& says) {
    try {
      call(answer(body));
      ADD_FAILURE() << body;
    } catch (const PluginError& e) {
      EXPECT_EQ(e.type(), ErrorType::Transient) << body;
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  const auto one = [](const MaasResponse& r) { return MaasMachineView::fromResponse(r); };
  const auto list = [](const MaasResponse& r) { return MaasMachineView::listFromResponse(r); };
  transient(one, "<html>gateway timeout</html>", "GET machines/ with a body that is not JSON");
  transient(one, "[]", "where a machine object was expected");
  transient(one, R"({"system_id": 5})", "system_id");
  transient(one, R"({"system_id":"abc","zone":{"name":"a","name":"b"}})", "not JSON");
  transient(list, R"({"system_id":"abc"})", "not a list");
  transient(list, "[1]", "where a machine object was expected");
  transient(list, "[{\"system_id\":\"abc\"", "not JSON");
}

TEST(Conditions, TransitionTimeMovesOnlyWhenTheStatusChanges) {
  json::Value status = json::parse(R"({"conditions": [
      {"type": "DNSAttached", "status": "True", "lastTransitionTime": "2020-01-01T00:00:00Z"},
      {"type": "MachineDeployed", "status": "False", "reason": "Deploying",
       "lastTransitionTime": "2020-01-02T00:00:00Z"}]})");
  json::Value same = withCondition(
      status, {"MachineDeployed", kConditionFalse, "PoweredOff", "off", kSeverityWarning});
  status.set("conditions", same);
  const json::Value* c = findCondition(status, "MachineDeployed");
  EXPECT_EQ(c->getString("lastTransitionTime"), "2020-01-02T00:00:00Z");
  EXPECT_EQ(c->getString("reason"), "PoweredOff");
  EXPECT_EQ(findCondition(status, "DNSAttached")->getString("lastTransitionTime"),
            "2020-01-01T00:00:00Z");  // other types untouched
  status.set("conditions", withCondition(status, {"MachineDeployed", kConditionTrue, "Deployed",
                                                  "deployed", ""}));
  c = findCondition(status, "MachineDeployed");
  EXPECT_NE(c->getString("lastTransitionTime"), "2020-01-02T00:00:00Z");
  EXPECT_GT(parseRfc3339(c->getString("lastTransitionTime")), parseRfc3339("2025-01-01T00:00:00Z"));
  EXPECT_EQ(status.find("conditions")->size(), 2u);
}

}  // namespace
}  // namespace maasprov::common
