#include "sim_process.hpp"

#include <Poco/File.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace maasprov::maas::testing {

SimProcess::SimProcess(Options options) : options_(std::move(options)) {
  dir_ = std::make_unique<Poco::TemporaryFile>();
  dir_->createDirectories();
  const std::string portFile = dir_->path() + "/port";
  Poco::Process::Args args = {"--inventory",
                              options_.inventory,
                              "--listen",
                              "127.0.0.1:0",
                              "--port-file",
                              portFile,
                              "--api-key",
                              options_.apiKey,
                              "--deploy-seconds",
                              std::to_string(options_.deploySeconds),
                              "--commission-seconds",
                              std::to_string(options_.commissionSeconds),
                              "--release-seconds",
                              std::to_string(options_.releaseSeconds),
                              "--seed",
                              "7"};
  if (!options_.tlsCert.empty()) {
    args.insert(args.end(), {"--tls-cert", options_.tlsCert, "--tls-key", options_.tlsKey});
    tls_ = true;
  }
  process_ =
      std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(MAAS_SIM_EXECUTABLE, args));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Poco::File(portFile).exists()) {
      std::ifstream in(portFile);
      unsigned port = 0;
      if (in >> port && port > 0) {
        port_ = static_cast<std::uint16_t>(port);
        return;
      }
    }
    if (!Poco::Process::isRunning(*process_)) {
      const int rc = process_->wait();
      process_.reset();
      throw std::runtime_error("maas-sim exited with " + std::to_string(rc) + " before listening");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("maas-sim did not write its port file within 10 s");
}

SimProcess::~SimProcess() {
  if (!process_) return;
  try {
    Poco::Process::requestTermination(process_->id());
    process_->wait();
  } catch (...) {
    // Already gone.
  }
}

std::string SimProcess::url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + "/MAAS";
}

std::string SimProcess::control(const std::string& method, const std::string& path,
                                const std::string& body) const {
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (tls_) {
    auto context = Poco::makeAuto<Poco::Net::Context>(Poco::Net::Context::TLS_CLIENT_USE, "",
                                                      Poco::Net::Context::VERIFY_NONE);
    session = std::make_unique<Poco::Net::HTTPSClientSession>("127.0.0.1", port_, context);
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", port_);
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
