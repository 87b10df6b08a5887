#include "sim_process.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>

#include <stdexcept>

#include "tests/sim/sim_process.hpp"

namespace maasprov::maas::testing {

SimProcess::SimProcess(Options options) : tls_(!options.tlsCert.empty()) {
  maassim::testing::SimProcess::Options launch;
  launch.inventory_path = options.inventory;
  launch.extra_args = {"--api-key",
                       options.apiKey,
                       "--deploy-seconds",
                       std::to_string(options.deploySeconds),
                       "--commission-seconds",
                       std::to_string(options.commissionSeconds),
                       "--release-seconds",
                       std::to_string(options.releaseSeconds),
                       "--seed",
                       "7"};
  if (tls_) {
    launch.extra_args.insert(launch.extra_args.end(),
                             {"--tls-cert", options.tlsCert, "--tls-key", options.tlsKey});
  }
  process_ = std::make_unique<maassim::testing::SimProcess>(launch);
}

SimProcess::~SimProcess() = default;

std::uint16_t SimProcess::port() const {
  return process_->port();
}

std::string SimProcess::url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()) + "/MAAS";
}

std::string SimProcess::control(const std::string& method, const std::string& path,
                                const std::string& body) const {
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (tls_) {
    auto context = Poco::makeAuto<Poco::Net::Context>(Poco::Net::Context::TLS_CLIENT_USE, "",
                                                      Poco::Net::Context::VERIFY_NONE);
    session = std::make_unique<Poco::Net::HTTPSClientSession>("127.0.0.1", port(), context);
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", port());
  }
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentLength64(static_cast<Poco::Int64>(body.size()));
  if (!body.empty()) request.setContentType("application/json");
  session->sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::string answer;
  Poco::StreamCopier::copyToString(session->receiveResponse(response), answer);
  if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
    throw std::runtime_error("maas-sim " + method + " " + path + " answered " +
                             std::to_string(response.getStatus()) + ": " + answer);
  }
  return answer;
}

Poco::JSON::Object::Ptr SimProcess::counters() const {
  Poco::JSON::Parser parser;
  return parser.parse(control("GET", "/_sim/counters")).extract<Poco::JSON::Object::Ptr>();
}

std::uint64_t SimProcess::count(const std::string& label, const std::string& status) const {
  const auto endpoints = counters()->getObject("endpoints");
  if (!endpoints || !endpoints->has(label)) return 0;
  const auto byStatus = endpoints->getObject(label);
  return byStatus->has(status) ? byStatus->getValue<std::uint64_t>(status) : 0;
}

Poco::JSON::Object::Ptr SimProcess::state() const {
  Poco::JSON::Parser parser;
  return parser.parse(control("GET", "/_sim/state")).extract<Poco::JSON::Object::Ptr>();
}

void SimProcess::setFaults(const std::string& json) const {
  control("POST", "/_sim/faults", json);
}

void SimProcess::failNextDeploy(const std::string& systemId) const {
  control("POST", "/_sim/machines/" + systemId + "/fail-next-deploy");
}

}  // namespace maasprov::maas::testing
