// The Client over real loopback sockets against a scripted server: what goes on the wire,
// connection reuse and bounds, retries, timeouts, resets, metrics and secrecy of the key.
#include <Poco/Net/ServerSocket.h>
#include <Poco/Timestamp.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "framework/maas/client.hpp"
#include "framework/maas/errors.hpp"
#include "framework/maas/machines.hpp"
#include "scripted_server.hpp"

namespace maas = maasprov::maas;
using maas::testing::ScriptedServer;
using namespace std::chrono_literals;

namespace {

constexpr const char* kKey = "CONSUMERKEY:TOKENKEY:SECRETVALUE";
const std::string kMachine = R"({"system_id": "abc123", "hostname": "node1", "status": 4})";

maas::ClientConfig configFor(const ScriptedServer& server) {
  maas::ClientConfig c;
  c.url = server.url();
  c.apiKey = kKey;
  c.connectTimeout = 1000ms;
  c.readTimeout = 2000ms;
  c.maxConnections = 4;
  c.retry.maxAttempts = 3;
  c.retry.baseBackoff = 10ms;
  c.retry.maxBackoff = 40ms;
  c.retry.maxRetryAfter = 5000ms;
  return c;
}

ScriptedServer::Handler always(int status, std::string body) {
  return
      [status, body](int, auto&, auto& response) { ScriptedServer::reply(response, status, body); };
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The value of one oauth_ parameter in an Authorization header.
std::string oauthParam(const std::string& header, const std::string& name) {
  const auto at = header.find(name + "=\"");
  if (at == std::string::npos) return "<absent>";
  const auto start = at + name.size() + 2;
  return header.substr(start, header.find('"', start) - start);
}

}  // namespace

TEST(ClientWire, SignsEveryRequestWithOAuthPlaintextAndFreshNonce) {
  ScriptedServer server(always(200, "[]"));
  maas::Client client(configFor(server));
  client.send({"GET", "machines/", "", {}});
  client.send({"GET", "machines/", "", {}});
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  const std::string& auth = seen[0].authorization;
  EXPECT_EQ(auth.rfind("OAuth ", 0), 0u) << auth;
  EXPECT_EQ(oauthParam(auth, "oauth_consumer_key"), "CONSUMERKEY");
  EXPECT_EQ(oauthParam(auth, "oauth_token"), "TOKENKEY");
  EXPECT_EQ(oauthParam(auth, "oauth_signature_method"), "PLAINTEXT");
  // "&" + secret, percent-encoded in the header as OAuth requires.
  EXPECT_EQ(oauthParam(auth, "oauth_signature"), "%26SECRETVALUE");
  const auto timestamp = std::stoll(oauthParam(auth, "oauth_timestamp"));
  EXPECT_NEAR(static_cast<double>(timestamp), static_cast<double>(Poco::Timestamp().epochTime()),
              60);
  EXPECT_NE(oauthParam(auth, "oauth_nonce"), "<absent>");
  EXPECT_NE(oauthParam(auth, "oauth_nonce"), oauthParam(seen[1].authorization, "oauth_nonce"));
}

TEST(ClientWire, OpInQueryParamsInFormBodyRepeatedKeysKept) {
  ScriptedServer server([](int, auto& request, auto& response) {
    const bool list = request.getMethod() == "GET";
    ScriptedServer::reply(response, 200, list ? "[" + kMachine + "]" : kMachine);
  });
  maas::Client client(configFor(server));
  maas::Machines machines(client);
  maas::AllocateRequest allocate;
  allocate.tags = {"gpu", "ssd"};
  allocate.zone = "az1";
  allocate.memory = 4096;
  allocate.cpuCount = 2;
  allocate.notPodType = "virsh";
  allocate.agentName = "cluster-a";
  EXPECT_EQ(machines.allocate(allocate).systemId, "abc123");
  maas::MachineFilter filter;
  filter.ids = {"a1", "b2", "c3"};
  filter.agentName = "cluster-a";
  machines.list(filter);
  maas::DeployRequest deploy;
  deploy.userData = "#cloud-config\nruncmd: [echo hi]\n";
  deploy.distroSeries = "jammy";
  machines.deploy("abc123", deploy);

  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].uri, "/MAAS/api/2.0/machines/?op=allocate");
  EXPECT_EQ(seen[0].contentType, "application/x-www-form-urlencoded");
  EXPECT_NE(seen[0].body.find("tags=gpu&tags=ssd"), std::string::npos) << seen[0].body;
  for (const char* part :
       {"cpu_count=2", "mem=4096", "zone=az1", "not_pod_type=virsh", "agent_name=cluster-a"}) {
    EXPECT_NE(seen[0].body.find(part), std::string::npos) << part << " in " << seen[0].body;
  }
  EXPECT_EQ(seen[1].method, "GET");
  EXPECT_EQ(seen[1].uri, "/MAAS/api/2.0/machines/?id=a1&id=b2&id=c3&agent_name=cluster-a");
  EXPECT_EQ(seen[1].body, "");
  EXPECT_EQ(seen[2].uri, "/MAAS/api/2.0/machines/abc123/?op=deploy");
  // base64("#cloud-config\nruncmd: [echo hi]\n"), form-encoded.
  EXPECT_NE(seen[2].body.find("user_data=I2Nsb3VkLWNvbmZpZwpydW5jbWQ6IFtlY2hvIGhpXQo%3D"),
            std::string::npos)
      << seen[2].body;
}

TEST(ClientWire, ManyIdsArePolledInBatches) {
  ScriptedServer server([](int index, auto&, auto& response) {
    ScriptedServer::reply(response, 200,
                          R"([{"system_id": "m)" + std::to_string(index) + R"(", "status": 6}])");
  });
  maas::Client client(configFor(server));
  maas::MachineFilter filter;
  for (int i = 0; i < 320; ++i) filter.ids.push_back("id" + std::to_string(i));
  filter.agentName = "c1";
  const auto found = maas::Machines(client).list(filter);
  ASSERT_EQ(found.size(), 3u);  // one machine per answer, answers concatenated
  EXPECT_EQ(found[2].systemId, "m2");
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 3u);
  const auto ids = [](const std::string& uri) {
    std::size_t n = 0;
    for (auto at = uri.find("id=id"); at != std::string::npos; at = uri.find("id=id", at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(ids(seen[0].uri), maas::kMaxIdsPerList);
  EXPECT_EQ(ids(seen[1].uri), maas::kMaxIdsPerList);
  EXPECT_EQ(ids(seen[2].uri), 320 - 2 * maas::kMaxIdsPerList);
  EXPECT_NE(seen[0].uri.find("id=id0&"), std::string::npos);
  EXPECT_NE(seen[2].uri.find("id=id319&agent_name=c1"), std::string::npos) << seen[2].uri;
  for (const auto& r : seen) EXPECT_NE(r.uri.find("agent_name=c1"), std::string::npos);
}

TEST(ClientWire, AcceptsUrlWithOrWithoutApiSuffixAndSlash) {
  ScriptedServer server(
      always(200, R"({"version": "3.6.0", "subversion": "x", "capabilities": []})"));
  for (const std::string suffix : {"", "/", "/api/2.0", "/api/2.0/"}) {
    auto config = configFor(server);
    config.url = server.url() + suffix;
    maas::Client client(config);
    EXPECT_EQ(client.apiRoot(), server.url() + "/api/2.0/");
    client.send({"GET", "version/", "", {}});
  }
  for (const auto& r : server.requests()) EXPECT_EQ(r.uri, "/MAAS/api/2.0/version/");
}

TEST(ClientConfigCheck, BadSettingsAreNamed) {
  const auto expectNamed = [](maas::ClientConfig config, const std::string& setting) {
    try {
      maas::Client client(config);
      ADD_FAILURE() << "accepted bad " << setting;
    } catch (const maas::ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(setting), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find("SECRETVALUE"), std::string::npos) << e.what();
    }
  };
  maas::ClientConfig good;
  good.url = "http://127.0.0.1:5240/MAAS";
  good.apiKey = kKey;
  auto c = good;
  c.apiKey = "CONSUMERKEY:SECRETVALUE";
  expectNamed(c, "apiKey");
  c = good;
  c.url = "ftp://maas/MAAS";
  expectNamed(c, "url");
  c = good;
  c.maxConnections = 0;
  expectNamed(c, "maxConnections");
  c = good;
  c.caFile = "/nonexistent/ca.pem";
  expectNamed(c, "caFile");
  c = good;
  c.readTimeout = 0ms;
  expectNamed(c, "readTimeout");
}

TEST(ClientConnections, KeepAliveReusesOneConnection) {
  ScriptedServer server(always(200, "[]"));
  maas::Client client(configFor(server));
  for (int i = 0; i < 6; ++i) client.send({"GET", "machines/", "", {}});
  EXPECT_EQ(server.requestCount(), 6);
  EXPECT_EQ(server.connectionCount(), 1);
}

TEST(ClientConnections, ConcurrencyIsBoundedByMaxConnections) {
  ScriptedServer server([](int, auto&, auto& response) {
    std::this_thread::sleep_for(100ms);
    ScriptedServer::reply(response, 200, "[]");
  });
  auto config = configFor(server);
  config.maxConnections = 2;
  maas::Client client(config);
  std::vector<std::thread> callers;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    callers.emplace_back([&] {
      if (client.send({"GET", "machines/", "", {}}).status == 200) ++ok;
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_EQ(server.maxInFlight(), 2);
  EXPECT_LE(server.connectionCount(), 2);
}

TEST(ClientRetries, RetryAfterOn503IsHonouredThenSucceeds) {
  ScriptedServer server([](int index, auto&, auto& response) {
    if (index == 0) {
      response.set("Retry-After", "1");
      ScriptedServer::reply(response, 503, "Unable to get RPC connection", "text/plain");
    } else {
      ScriptedServer::reply(response, 200, kMachine);
    }
  });
  maas::Client client(configFor(server));
  const auto start = std::chrono::steady_clock::now();
  // A POST too: MAAS applied nothing when it asked to come back later.
  const auto m = maas::Machines(client).allocate({});
  EXPECT_GE(secondsSince(start), 0.95);
  EXPECT_EQ(m.systemId, "abc123");
  EXPECT_EQ(server.requestCount(), 2);
}

TEST(ClientRetries, RetryAfterOn409IsRetriedAndCapped) {
  ScriptedServer server([](int index, auto&, auto& response) {
    if (index < 2) {
      response.set("Retry-After", "3600");
      ScriptedServer::reply(response, 409, "database conflict", "text/plain");
    } else {
      ScriptedServer::reply(response, 200, kMachine);
    }
  });
  auto config = configFor(server);
  config.retry.maxRetryAfter = 50ms;
  maas::Client client(config);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(maas::Machines(client).deploy("abc123", {}).systemId, "abc123");
  EXPECT_LT(secondsSince(start), 2.0);
  EXPECT_EQ(server.requestCount(), 3);
}

TEST(ClientRetries, ExhaustedRetryAfterSurfacesUnavailableWithHint) {
  ScriptedServer server([](int, auto&, auto& response) {
    response.set("Retry-After", "2");
    ScriptedServer::reply(response, 503, "busy", "text/plain");
  });
  auto config = configFor(server);
  config.retry.maxRetryAfter = 20ms;
  maas::Client client(config);
  try {
    maas::Machines(client).get("abc123");
    FAIL() << "expected Unavailable";
  } catch (const maas::Unavailable& e) {
    ASSERT_TRUE(e.retryAfter().has_value());
    EXPECT_EQ(e.retryAfter()->count(), 2);
  }
  EXPECT_EQ(server.requestCount(), 3);
}

TEST(ClientRetries, ServiceUnavailableWithoutRetryAfterIsNotRetried) {
  ScriptedServer server(always(503, "Region is down"));
  maas::Client client(configFor(server));
  EXPECT_THROW(maas::Machines(client).list(), maas::Unavailable);
  EXPECT_EQ(server.requestCount(), 1);
}

TEST(ClientRetries, TimeoutsRetriedOnlyWhenSafeToRepeat) {
  ScriptedServer server([](int, auto&, auto& response) {
    std::this_thread::sleep_for(700ms);
    try {
      ScriptedServer::reply(response, 200, kMachine);
    } catch (...) {
      // The client gave up and closed the connection.
    }
  });
  auto config = configFor(server);
  config.readTimeout = 150ms;
  config.retry.maxAttempts = 2;
  maas::Client client(config);

  EXPECT_THROW(client.send({"GET", "machines/abc123/", "", {}}), maas::TransportError);
  EXPECT_EQ(server.requestCount(), 2);

  try {
    client.send({"POST", "machines/", "allocate", {}});
    FAIL() << "expected TransportError";
  } catch (const maas::TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("not safe to repeat"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("POST machines/?op=allocate"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(server.requestCount(), 3);

  maas::Request annotate{"POST", "machines/abc123/", "set_workload_annotations", {{"a", "b"}}};
  annotate.idempotent = true;
  EXPECT_THROW(client.send(annotate), maas::TransportError);
  EXPECT_EQ(server.requestCount(), 5);
}

TEST(ClientRetries, ConnectionResetRetriedOnlyWhenSafeToRepeat) {
  ScriptedServer server([](int index, auto& request, auto& response) {
    if (index % 2 == 0) {
      ScriptedServer::resetConnection(request);
      return;
    }
    ScriptedServer::reply(response, 200, kMachine);
  });
  maas::Client client(configFor(server));
  // Request 0 is reset, the retry (1) succeeds.
  EXPECT_EQ(maas::Machines(client).get("abc123").systemId, "abc123");
  EXPECT_EQ(server.requestCount(), 2);
  // Request 2 is reset; a deploy is not repeated.
  EXPECT_THROW(maas::Machines(client).deploy("abc123", {}), maas::TransportError);
  EXPECT_EQ(server.requestCount(), 3);
}

TEST(ClientRetries, RefusedConnectionIsRetriedThenReported) {
  int port = 0;
  {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    port = probe.address().port();
  }  // closed: nothing listens there now
  maas::ClientConfig config;
  config.url = "http://127.0.0.1:" + std::to_string(port) + "/MAAS";
  config.apiKey = kKey;
  config.retry.maxAttempts = 3;
  config.retry.baseBackoff = 5ms;
  config.retry.maxBackoff = 10ms;
  maas::Client client(config);
  try {
    client.send({"POST", "machines/", "allocate", {}});
    FAIL() << "expected TransportError";
  } catch (const maas::TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("after 3 attempts"), std::string::npos) << e.what();
  }
  const auto counts = client.requestCounts();
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0], (maas::RequestCount{"POST machines/?op=allocate", 0, 3}));
}

TEST(ClientMetrics, CountsByEndpointAndStatusWithoutIdsOrSecrets) {
  ScriptedServer server([](int index, auto& request, auto& response) {
    if (request.getURI().find("missing") != std::string::npos) {
      ScriptedServer::reply(response, 404, "Not Found", "text/plain");
    } else if (index == 0) {
      response.set("Retry-After", "0");
      ScriptedServer::reply(response, 503, "busy", "text/plain");
    } else {
      ScriptedServer::reply(response, 200, kMachine);
    }
  });
  maas::Client client(configFor(server));
  maas::Machines machines(client);
  machines.get("abc123");
  machines.get("def456");
  EXPECT_THROW(machines.get("missing"), maas::NotFound);
  machines.powerOn("abc123");
  const std::vector<maas::RequestCount> expected = {
      {"GET machines/{id}/", 200, 2},
      {"GET machines/{id}/", 404, 1},
      {"GET machines/{id}/", 503, 1},
      {"POST machines/{id}/?op=power_on", 200, 1},
  };
  EXPECT_EQ(client.requestCounts(), expected);
}

TEST(ClientSecrecy, KeyNeverAppearsInLogsOrErrors) {
  std::ostringstream logs;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(logs);
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("capture", sink);
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  std::string errors;
  {
    ScriptedServer server([](int index, auto& request, auto& response) {
      if (index == 0) {
        response.set("Retry-After", "0");
        ScriptedServer::reply(response, 503, "busy", "text/plain");
      } else if (index == 1) {
        ScriptedServer::resetConnection(request);
      } else {
        ScriptedServer::reply(response, 401, "Authorization Error: Invalid API key.", "text/plain");
      }
    });
    maas::Client client(configFor(server));
    for (int i = 0; i < 3; ++i) {
      try {
        maas::Machines(client).allocate({});
      } catch (const std::exception& e) {
        errors += e.what();
      }
    }
    for (const auto& c : client.requestCounts()) errors += c.endpoint;
  }
  spdlog::set_default_logger(previous);
  const std::string all = logs.str() + errors;
  EXPECT_FALSE(all.empty());
  EXPECT_NE(errors.find("401"), std::string::npos) << errors;
  for (const char* secret : {"SECRETVALUE", "TOKENKEY", "CONSUMERKEY"}) {
    EXPECT_EQ(all.find(secret), std::string::npos) << secret << " leaked into: " << all;
  }
}
