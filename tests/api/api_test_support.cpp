#include "api_test_support.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>

#include <sstream>

namespace maasprov::api::testing {

Poco::JSON::Object::Ptr HttpResult::json() const {
  try {
    return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception& error) {
    ADD_FAILURE() << "response body is not a JSON object: " << body;
    return Poco::makeShared<Poco::JSON::Object>();
  }
}

std::string HttpResult::message() const {
  return json()->optValue<std::string>("message", "");
}

HttpResult send(std::uint16_t port, const RequestSpec& spec) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest request(spec.method, spec.path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (spec.token) request.set("Authorization", "Bearer " + *spec.token);
  for (const auto& [name, value] : spec.headers) request.set(name, value);
  if (!spec.body.empty() || spec.method == "POST" || spec.method == "PUT" ||
      spec.method == "PATCH") {
    request.setContentType(spec.contentType);
    request.setContentLength64(static_cast<Poco::Int64>(spec.body.size()));
  }
  session.sendRequest(request) << spec.body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpResult result;
  result.status = response.getStatus();
  Poco::StreamCopier::copyToString(in, result.body);
  for (const auto& [name, value] : response) result.headers.add(name, value);
  return result;
}

WatchClient::WatchClient(std::uint16_t port, const std::string& pathAndQuery,
                         Poco::Timespan timeout, std::optional<std::string> token)
    : session_("127.0.0.1", port) {
  session_.setTimeout(timeout);
  Poco::Net::HTTPRequest request("GET", pathAndQuery, Poco::Net::HTTPMessage::HTTP_1_1);
  if (token) request.set("Authorization", "Bearer " + *token);
  session_.sendRequest(request);
  in_ = &session_.receiveResponse(response_);
}

Poco::JSON::Object::Ptr WatchClient::next() {
  std::string line;
  if (!std::getline(*in_, line)) {
    if (in_->eof()) return nullptr;
    throw std::runtime_error("watch stream: read failed");
  }
  return Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
}

std::string WatchClient::rest() {
  std::string text;
  Poco::StreamCopier::copyToString(*in_, text);
  return text;
}

void WatchClient::disconnect() {
  session_.abort();
}

std::string machineYaml(const std::string& name, const std::string& ns, const std::string& labels,
                        const std::string& specExtra) {
  std::string yaml =
      "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasMachine\n"
      "metadata:\n  name: " +
      name + "\n  namespace: " + ns + "\n";
  if (!labels.empty()) yaml += "  labels:\n" + labels;
  yaml += "spec:\n  image: ubuntu/jammy\n  minCPU: 2\n  minMemory: 4096\n" + specExtra;
  return yaml;
}

std::string machineJson(const std::string& name, const std::string& ns,
                        const std::string& specExtra) {
  return R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",)"
         R"("metadata":{"name":")" +
         name + R"(","namespace":")" + ns +
         R"("},"spec":{"image":"ubuntu/jammy","minCPU":2,"minMemory":4096)" + specExtra + "}}";
}

std::string clusterYaml(const std::string& name, const std::string& ns) {
  return "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasCluster\n"
         "metadata:\n  name: " +
         name + "\n  namespace: " + ns + "\nspec:\n  dnsDomain: maas\n";
}

std::string secretYaml(const std::string& name, const std::string& base64Value,
                       const std::string& ns) {
  return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\ntype: cluster.x-k8s.io/secret\ndata:\n  value: " + base64Value + "\n";
}

std::string metaOf(const Poco::JSON::Object::Ptr& object, const std::string& field) {
  const auto metadata = object->getObject("metadata");
  if (metadata.isNull() || !metadata->has(field)) return "";
  return metadata->get(field).toString();
}

std::string stringify(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

void ApiFixture::SetUp() {
  dir_ = Poco::TemporaryFile::tempName();
  std::filesystem::create_directories(dir_);
  store::SqliteStore::Options storeOptions;
  storeOptions.path = (dir_ / "store.db").string();
  storeOptions.eventRetention = eventRetention();
  store_ = std::make_unique<store::SqliteStore>(storeOptions);
  startServer();
}

void ApiFixture::TearDown() {
  if (server_) server_->stop();
  server_.reset();
  store_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

ApiOptions ApiFixture::options() const {
  ApiOptions options;
  options.listen = "127.0.0.1:0";
  options.token = kToken;
  options.maxBodyBytes = 64 * 1024;
  options.maxThreads = 4;
  return options;
}

void ApiFixture::startServer() {
  if (server_) server_->stop();
  server_.reset();
  server_ = std::make_unique<ApiServer>(options(), *store_, hooks());
  server_->start();
  ASSERT_NE(server_->port(), 0);
}

}  // namespace maasprov::api::testing
