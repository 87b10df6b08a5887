// The endpoints served from the daemon's hooks (readiness, metrics, plugins, VM hosts) and the
// server's own request counters.
#include <Poco/JSON/Array.h>

#include <atomic>
#include <stdexcept>

#include "api_test_support.hpp"

namespace maasprov::api::testing {
namespace {

std::atomic<bool> gReady{false};
std::atomic<bool> gFailing{false};

class Hooks : public ApiFixture {
 protected:
  ApiHooks hooks() const override {
    ApiHooks hooks;
    hooks.ready = [] { return gReady.load(); };
    hooks.metricsText = [this] {
      return "# TYPE maasprov_reconciles_total counter\nmaasprov_reconciles_total 3\n" +
             server_->requestMetricsText();
    };
    hooks.plugins = [] {
      auto plugins = Poco::makeShared<Poco::JSON::Object>();
      plugins->set("loaded", Poco::makeShared<Poco::JSON::Array>());
      plugins->getArray("loaded")->add(std::string("lxd"));
      return plugins;
    };
    hooks.vmHosts = []() -> Poco::JSON::Array::Ptr {
      if (gFailing) throw std::runtime_error("MAAS answered 503");
      auto hosts = Poco::makeShared<Poco::JSON::Array>();
      auto host = Poco::makeShared<Poco::JSON::Object>();
      host->set("name", "lxd-a1");
      hosts->add(host);
      return hosts;
    };
    return hooks;
  }
};

TEST_F(Hooks, ReadinessFollowsTheHookWithoutAToken) {
  gReady = false;
  const auto notReady = send(port(), RequestSpec("GET", "/readyz").withoutToken());
  EXPECT_EQ(notReady.status, 503);
  EXPECT_EQ(notReady.message(), "not ready");
  gReady = true;
  const auto ready = send(port(), RequestSpec("GET", "/readyz").withoutToken());
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ok\n");
}

TEST_F(Hooks, MetricsAreServedAsPrometheusTextAndCountRequests) {
  EXPECT_EQ(get(std::string(kInfra) + "/namespaces/default/maasmachines/m1").status, 404);
  EXPECT_EQ(get(std::string(kInfra) + "/namespaces/default/maasmachines/m2").status, 404);
  EXPECT_EQ(send(port(), RequestSpec("GET", "/secret-path").withoutToken()).status, 401);
  const auto metrics = get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.headers.get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find("maasprov_reconciles_total 3\n"), std::string::npos);
  // Routes are patterns: two names, one series; unknown paths fold into "other".
  EXPECT_NE(metrics.body.find("maasprov_api_requests_total{route=\"/apis/"
                              "infrastructure.cluster.x-k8s.io/v1beta1/namespaces/{namespace}/"
                              "maasmachines/{name}\",method=\"GET\",code=\"404\"} 2\n"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("maasprov_api_requests_total{route=\"other\",method=\"GET\","
                              "code=\"401\"} 1\n"),
            std::string::npos)
      << metrics.body;
  EXPECT_EQ(metrics.body.find("secret-path"), std::string::npos);
  EXPECT_EQ(metrics.body.find("m1"), std::string::npos);
}

TEST_F(Hooks, PluginsAndVmHostsComeFromTheHooks) {
  const auto plugins = get("/apis/maasprov.io/v1/plugins");
  ASSERT_EQ(plugins.status, 200);
  EXPECT_EQ(plugins.json()->getArray("loaded")->getElement<std::string>(0), "lxd");
  gFailing = false;
  const auto hosts = get("/apis/maasprov.io/v1/vmhosts");
  ASSERT_EQ(hosts.status, 200);
  EXPECT_EQ(hosts.json()->getValue<std::string>("kind"), "VMHostList");
  EXPECT_EQ(hosts.json()->getArray("items")->getObject(0)->getValue<std::string>("name"), "lxd-a1");
  gFailing = true;
  const auto failing = get("/apis/maasprov.io/v1/vmhosts");
  EXPECT_EQ(failing.status, 503);
  EXPECT_EQ(failing.message(), "VM hosts are unavailable: MAAS answered 503");
  EXPECT_EQ(
      send(port(),
           RequestSpec("POST", "/apis/maasprov.io/v1/plugins").withBody("{}", "application/json"))
          .status,
      405);
}

class NoHooks : public ApiFixture {};

TEST_F(NoHooks, MissingHooksAnswerClearly) {
  const auto metrics = get("/metrics");
  EXPECT_EQ(metrics.status, 503);
  EXPECT_EQ(metrics.message(), "metrics are not served by this process");
  const auto plugins = get("/apis/maasprov.io/v1/plugins");
  EXPECT_EQ(plugins.status, 404);
  EXPECT_EQ(plugins.message(), "plugins are not served by this process");
  const auto hosts = get("/apis/maasprov.io/v1/vmhosts");
  EXPECT_EQ(hosts.status, 404);
  EXPECT_EQ(hosts.message(), "VM hosts are not served by this process");
}

}  // namespace
}  // namespace maasprov::api::testing
