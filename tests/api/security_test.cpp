// Authentication, namespace scoping, user-data redaction and hostile input over real sockets.
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>

#include <thread>

#include "api_test_support.hpp"

namespace maasprov::api::testing {
namespace {

const std::string kMachines = std::string(kInfra) + "/namespaces/default/maasmachines";
const std::string kSecrets = "/api/v1/namespaces/default/secrets";
// base64("#cloud-config\nsecret-marker-7731\n")
const std::string kSecretValue = "I2Nsb3VkLWNvbmZpZwpzZWNyZXQtbWFya2VyLTc3MzEK";

class Security : public ApiFixture {};

TEST_F(Security, EveryApiCallNeedsTheToken) {
  for (const auto& path : std::vector<std::string>{
           kMachines, std::string(kInfra) + "/maasmachines", kSecrets, std::string("/metrics"),
           std::string("/apis/maasprov.io/v1/plugins"), std::string("/nowhere")}) {
    const auto anonymous = send(port(), RequestSpec("GET", path).withoutToken());
    EXPECT_EQ(anonymous.status, 401) << path;
    EXPECT_EQ(anonymous.headers.get("WWW-Authenticate", ""), "Bearer realm=\"maasprov\"");
    EXPECT_EQ(anonymous.json()->getValue<std::string>("reason"), "Unauthorized");
    EXPECT_NE(anonymous.message().find("Authorization: Bearer"), std::string::npos);

    const auto wrong =
        send(port(), RequestSpec("GET", path).withToken(std::string("not-the-token")));
    EXPECT_EQ(wrong.status, 403) << path;
    EXPECT_EQ(wrong.json()->getValue<std::string>("reason"), "Forbidden");
    EXPECT_EQ(wrong.body.find("not-the-token"), std::string::npos);
  }
  const auto prefix =
      send(port(), RequestSpec("GET", kMachines).withToken(std::string(kToken).substr(0, 4)));
  EXPECT_EQ(prefix.status, 403);
  const auto basic = send(port(), RequestSpec("GET", kMachines)
                                      .withoutToken()
                                      .withHeader("Authorization", "Basic dXNlcjpwYXNz"));
  EXPECT_EQ(basic.status, 401);
  const auto lowercase =
      send(port(), RequestSpec("GET", kMachines)
                       .withoutToken()
                       .withHeader("Authorization", std::string("bearer ") + kToken));
  EXPECT_EQ(lowercase.status, 200);
}

TEST_F(Security, HealthIsOpenAndWritesWithoutTokenChangeNothing) {
  const auto health = send(port(), RequestSpec("GET", "/healthz").withoutToken());
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  // No readiness hook in this fixture: 503 says so, without a token.
  const auto ready = send(port(), RequestSpec("GET", "/readyz").withoutToken());
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.message(), "readiness is not reported by this process");

  const auto create = send(port(), RequestSpec("POST", kMachines)
                                       .withBody(machineYaml("m1"), "application/yaml")
                                       .withoutToken());
  EXPECT_EQ(create.status, 401);
  EXPECT_THROW(store().get({"MaasMachine", "default", "m1"}), store::NotFound);
}

class Scoped : public ApiFixture {
 protected:
  ApiOptions options() const override {
    auto options = ApiFixture::options();
    options.namespaces = {"default", "team-a"};
    return options;
  }
};

TEST_F(Scoped, WritesOutsideTheManagedNamespacesAre403) {
  const std::string other = std::string(kInfra) + "/namespaces/other/maasmachines";
  const auto created = post(other, machineYaml("m1", "other"));
  EXPECT_EQ(created.status, 403);
  EXPECT_EQ(created.message(),
            "namespace \"other\" is not managed by this maasprovd: writes are allowed only in "
            "default, team-a");
  EXPECT_EQ(put(other + "/m1", machineJson("m1", "other")).status, 403);
  EXPECT_EQ(patch(other + "/m1", machineYaml("m1", "other")).status, 403);
  EXPECT_EQ(del(other + "/m1").status, 403);
  EXPECT_EQ(post("/api/v1/namespaces/other/secrets", secretYaml("s", kSecretValue, "other")).status,
            403);
  // Reads are not restricted, and managed namespaces work.
  EXPECT_EQ(get(other).status, 200);
  EXPECT_EQ(
      post(std::string(kInfra) + "/namespaces/team-a/maasmachines", machineYaml("m1", "team-a"))
          .status,
      201);
}

TEST_F(Security, UserDataNeverLeavesTheServer) {
  const auto created = post(kSecrets, secretYaml("boot", kSecretValue));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto machine =
      post(kMachines, machineYaml("m1", "default", "", "  userData: " + kSecretValue + "\n"));
  ASSERT_EQ(machine.status, 201) << machine.body;

  WatchClient watch(port(), "/api/v1/secrets?watch=1&timeoutSeconds=1");
  std::string everything = created.body + machine.body + watch.rest();
  for (const auto& path : {kSecrets, kSecrets + "/boot", std::string("/api/v1/secrets"), kMachines,
                           kMachines + "/m1", kMachines + "/m1/status"}) {
    const auto read = get(path);
    EXPECT_EQ(read.status, 200) << path;
    everything += read.body;
  }
  EXPECT_EQ(everything.find(kSecretValue), std::string::npos);
  EXPECT_NE(everything.find("\"value\":\"<redacted>\""), std::string::npos);
  EXPECT_NE(everything.find("\"userData\":\"<redacted>\""), std::string::npos);

  // Writing back what was read keeps the stored values instead of wiping them.
  auto secret = get(kSecrets + "/boot").json();
  secret->getObject("metadata")->set("labels", Poco::makeShared<Poco::JSON::Object>());
  secret->getObject("metadata")->getObject("labels")->set("rotated", "no");
  const auto replaced = put(kSecrets + "/boot", stringify(secret));
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(
      store().get({"Secret", "default", "boot"})->getObject("data")->getValue<std::string>("value"),
      kSecretValue);
  auto copy = get(kMachines + "/m1").json();
  copy->getObject("spec")->set("failureDomain", "zone-a");
  ASSERT_EQ(put(kMachines + "/m1", stringify(copy)).status, 200);
  EXPECT_EQ(store()
                .get({"MaasMachine", "default", "m1"})
                ->getObject("spec")
                ->getValue<std::string>("userData"),
            kSecretValue);
  // Creating with the placeholder is refused: there is nothing to keep.
  const auto placeholder = post(kSecrets, secretYaml("fresh", "<redacted>"));
  EXPECT_EQ(placeholder.status, 422) << placeholder.body;

  // Nor does it show in errors or metrics.
  const auto invalid = post(kSecrets, secretYaml("bad", kSecretValue + "%%"));
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(invalid.body.find(kSecretValue), std::string::npos);
  EXPECT_EQ(server().requestMetricsText().find(kSecretValue), std::string::npos);
  EXPECT_EQ(server().requestMetricsText().find(kToken), std::string::npos);
}

TEST_F(Security, OversizedBodiesAre413WithoutBeingRead) {
  // Declared 100 MB, sent a few bytes: the answer comes at once, the body is never awaited.
  Poco::Net::HTTPClientSession session("127.0.0.1", port());
  session.setTimeout(Poco::Timespan(3, 0));
  Poco::Net::HTTPRequest request("POST", kMachines, Poco::Net::HTTPMessage::HTTP_1_1);
  request.set("Authorization", std::string("Bearer ") + kToken);
  request.setContentType("application/json");
  request.setContentLength64(100 << 20);
  session.sendRequest(request) << "{\"apiVersion\":";
  Poco::Net::HTTPResponse response;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
  EXPECT_EQ(response.getStatus(), 413);
  EXPECT_NE(body.find("larger than the limit of 65536 bytes"), std::string::npos) << body;
  EXPECT_FALSE(response.getKeepAlive());

  // Chunked, no length declared: refused once the limit is passed.
  Poco::Net::HTTPClientSession chunkedSession("127.0.0.1", port());
  Poco::Net::HTTPRequest chunked("POST", kMachines, Poco::Net::HTTPMessage::HTTP_1_1);
  chunked.set("Authorization", std::string("Bearer ") + kToken);
  chunked.setContentType("application/yaml");
  chunked.setChunkedTransferEncoding(true);
  auto& out = chunkedSession.sendRequest(chunked);
  out << machineYaml("big") << "  tags: [" << std::string(70000, 'x') << "]\n";
  Poco::Net::HTTPResponse chunkedResponse;
  Poco::StreamCopier::copyToString(chunkedSession.receiveResponse(chunkedResponse), body);
  EXPECT_EQ(chunkedResponse.getStatus(), 413);
  EXPECT_EQ(get("/healthz").status, 200);
}

TEST_F(Security, HostileBodiesGetClear400s) {
  const std::string deepJson =
      "{\"spec\":" + std::string(30000, '[') + std::string(30000, ']') + "}";
  std::string deepObject;
  for (int i = 0; i < 5000; ++i) deepObject += "{\"a\":";
  deepObject += "1" + std::string(5000, '}');
  std::string deepYaml = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\ndata: ";
  deepYaml += std::string(20000, '[') + std::string(20000, ']') + "\n";
  const std::vector<std::tuple<std::string, std::string, std::string>> cases{
      {"deep JSON arrays", deepJson, "application/json"},
      {"deep JSON objects", deepObject, "application/json"},
      {"deep YAML", deepYaml, "application/yaml"},
      {"invalid UTF-8 (JSON)", machineJson("m1", "default", ",\"failureDomain\":\"zone-\xff\xfe\""),
       "application/json"},
      {"invalid UTF-8 (YAML)", machineYaml("m1", "default", "", "  failureDomain: zone-\xc3\x28\n"),
       "application/yaml"},
      {"huge integer", machineJson("m1", "default", ",\"minCPU\":123456789012345678901234567890"),
       "application/json"},
      {"huge float", machineYaml("m1") + "  failureDomain: 1e999999\n", "application/yaml"},
      {"wrong type", machineJson("m1", "default", ",\"lxdConfig\":[1,2]"), "application/json"},
      {"not an object", "[1,2,3]", "application/json"},
      {"YAML under a JSON type", machineYaml("m1"), "application/json"},
      {"binary", std::string("\x00\x01\x02\xff\xfe", 5), "application/yaml"},
      {"empty", "", "application/json"},
      {"invalid UTF-8 in kind",
       "{\"apiVersion\":\"v1\",\"kind\":\"Se\xff"
       "cret\"}",
       "application/json"},
      {"invalid UTF-8 in a key", machineYaml("m1") + "  \xfe\xff: 1\n", "application/yaml"},
  };
  for (const auto& [what, body, type] : cases) {
    const auto result = post(kMachines, body, type);
    EXPECT_EQ(result.status, 400) << what << ": " << result.body;
    EXPECT_EQ(result.json()->getValue<std::string>("kind"), "Status") << what;
    EXPECT_FALSE(result.message().empty()) << what;
  }
  const auto xml = post(kMachines, "<machine/>", "application/xml");
  EXPECT_EQ(xml.status, 415);
  EXPECT_EQ(xml.message(),
            "Content-Type \"application/xml\" is not supported: send application/json or "
            "application/yaml");
  // Path segments are checked too, whatever bytes they hold.
  for (const auto* path : {"/api/v1/namespaces/%ff%fe/secrets", "/api/v1/namespaces/a/secrets/%00x",
                           "/api/v1/namespaces/a/secrets/%c3%28"}) {
    const auto result = get(path);
    EXPECT_EQ(result.status, 400) << path << ": " << result.body;
    EXPECT_EQ(result.json()->getValue<std::string>("kind"), "Status") << path;
  }
  EXPECT_EQ(get(kMachines).json()->getArray("items")->size(), 0u);
  EXPECT_EQ(get("/healthz").status, 200);
}

TEST_F(Security, MalformedRequestLinesDoNotHurtTheServer) {
  for (const auto& raw : std::vector<std::string>{
           std::string("GET /apis/%zz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ") + kToken +
               "\r\n\r\n",
           std::string("GARBAGE\r\n\r\n"), std::string(20000, 'A') + "\r\n\r\n"}) {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port()));
    socket.setReceiveTimeout(Poco::Timespan(3, 0));
    socket.sendBytes(raw.data(), static_cast<int>(raw.size()));
    char buffer[512] = {};
    const int received = socket.receiveBytes(buffer, sizeof buffer - 1);
    ASSERT_GT(received, 0);
    EXPECT_EQ(std::string(buffer, 12).substr(0, 12), "HTTP/1.1 400") << buffer;
  }
  EXPECT_EQ(get("/healthz").status, 200);
}

// The status line is what curl -i, proxies and load balancers read: the version we speak and
// the reason that goes with the code, never a client's version echoed or "404 OK".
TEST_F(Security, StatusLinesCarryTheRightVersionAndReason) {
  auto statusLine = [&](const std::string& raw) {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port()));
    socket.setReceiveTimeout(Poco::Timespan(3, 0));
    socket.sendBytes(raw.data(), static_cast<int>(raw.size()));
    char buffer[512] = {};
    const int received = socket.receiveBytes(buffer, sizeof buffer - 1);
    std::string text(buffer, static_cast<std::size_t>(std::max(received, 0)));
    return text.substr(0, text.find("\r\n"));
  };
  EXPECT_EQ(statusLine("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), "HTTP/1.1 200 OK");
  EXPECT_EQ(statusLine("GET /no/such/path HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                       std::string(kToken) + "\r\n\r\n"),
            "HTTP/1.1 404 Not Found");
  EXPECT_EQ(statusLine(std::string(kInfra).insert(0, "GET ") +
                       "/maasmachines HTTP/1.1\r\nHost: x\r\n\r\n"),
            "HTTP/1.1 401 Unauthorized");
  EXPECT_EQ(statusLine("GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n"),
            "HTTP/1.1 505 HTTP Version Not Supported");
  EXPECT_EQ(statusLine("GET /healthz FOO/9\r\nHost: x\r\n\r\n"), "HTTP/1.1 400 Bad Request");
}

TEST(ApiOptions, UnusableOptionsNameTheOption) {
  const auto message = [](ApiOptions options) {
    try {
      Poco::TemporaryFile dir;
      store::SqliteStore::Options storeOptions;
      storeOptions.path = dir.path() + "/s.db";
      store::SqliteStore store(storeOptions);
      ApiServer server(std::move(options), store, {});
      return std::string("accepted");
    } catch (const std::invalid_argument& error) {
      return std::string(error.what());
    }
  };
  ApiOptions base;
  base.token = "t";
  auto listen = base;
  listen.listen = "not an address";
  EXPECT_EQ(message(listen).rfind("listen: expected host:port", 0), 0u);
  auto token = base;
  token.token.clear();
  EXPECT_EQ(message(token), "token: expected a non-empty API token");
  auto threads = base;
  threads.maxThreads = 1;
  EXPECT_EQ(message(threads).rfind("maxThreads: ", 0), 0u);
  auto namespaces = base;
  namespaces.namespaces = {"ok", "Not OK"};
  EXPECT_EQ(message(namespaces).rfind("namespaces[1]: ", 0), 0u);
  EXPECT_EQ(message(base), "accepted");
}

TEST_F(Security, APortInUseIsRefusedNamingTheAddress) {
  auto options = this->options();
  options.listen = "127.0.0.1:" + std::to_string(port());
  ApiServer second(options, store(), {});
  try {
    second.start();
    FAIL() << "a second server bound the same port";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()).rfind("cannot listen on " + options.listen + ": ", 0), 0u)
        << error.what();
  }
  EXPECT_EQ(get("/healthz").status, 200);
}

}  // namespace
}  // namespace maasprov::api::testing
