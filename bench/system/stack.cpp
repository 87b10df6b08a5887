#include "stack.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "daemon_process.hpp"
#include "sim_process.hpp"

namespace maasprov::bench {

namespace {

constexpr const char* kToken = "bench-token-0123456789abcdef";

Reply exchange(Poco::Net::HTTPClientSession& session, const std::string& method,
               const std::string& path, const std::string& body, bool auth) {
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setKeepAlive(true);
  if (auth) request.set("Authorization", std::string("Bearer ") + kToken);
  if (!body.empty()) {
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(request) << body;
  } else {
    session.sendRequest(request);
  }
  Poco::Net::HTTPResponse response;
  Reply r;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), r.body);
  r.status = response.getStatus();
  return r;
}

// Each client thread keeps one connection per server, as kubectl and client-go do: a connection
// per request would make the daemon's CPU figure include a TCP handshake, an accept and a
// close per POST, which no real client makes it pay.
Reply call(int port, const std::string& method, const std::string& path, const std::string& body,
           bool auth) {
  thread_local std::map<int, std::unique_ptr<Poco::Net::HTTPClientSession>> sessions;
  auto& session = sessions[port];
  const bool reused = session != nullptr;
  if (!session) {
    session = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1",
                                                             static_cast<Poco::UInt16>(port));
    session->setTimeout(Poco::Timespan(120, 0));
    session->setKeepAlive(true);
    // Shorter than the daemon's 5 s: the client reconnects before the server drops the line.
    session->setKeepAliveTimeout(Poco::Timespan(2, 0));
  }
  try {
    return exchange(*session, method, path, body, auth);
  } catch (const Poco::Exception&) {
    session.reset();
    // A kept connection the server has closed (a restarted daemon) fails before any answer:
    // once more on a new one. A new connection's failure is real.
    if (!reused) throw;
  }
  return call(port, method, path, body, auth);
}

}  // namespace

struct Stack::Impl {
  daemon::testing::Workdir dir;
  std::map<std::string, std::string> keys;
  int starts = 0;
  std::unique_ptr<maassim::testing::SimProcess> sim;
  std::unique_ptr<daemon::testing::DaemonProcess> daemon;
  std::string logFile;
  std::string binary = MAASPROVD_BINARY;
};

Stack::Stack(StackOptions options) : impl_(std::make_unique<Impl>()) {
  using daemon::testing::writeFile;
  impl_->sim = std::make_unique<maassim::testing::SimProcess>(
      maassim::testing::SimProcess::Yaml(options.inventoryYaml, options.simArgs));
  writeFile(impl_->dir.path("maas-api-key"),
            maassim::testing::SimProcess::default_api_key() + "\n");
  writeFile(impl_->dir.path("api-token"), std::string(kToken) + "\n");
  std::string state = options.stateDir.empty() ? impl_->dir.path("state") : options.stateDir;
  std::filesystem::remove_all(state);
  std::filesystem::create_directories(state);
  std::string pluginDir = MAASPROV_PLUGIN_DIR;
  if (!options.daemonBuild.empty()) {
    // Absolute: the daemon resolves a relative plugin directory against its configuration's.
    const std::string build = std::filesystem::absolute(options.daemonBuild).string();
    impl_->binary = build + "/bin/maasprovd";
    pluginDir = build + "/lib/maasprov/plugins";
    for (const auto& path : {impl_->binary, pluginDir}) {
      if (!std::filesystem::exists(path)) {
        throw std::runtime_error("--daemon-build: " + path + " does not exist");
      }
    }
  }
  // Only what the bench must set; everything else keeps the shipped defaults unless overridden.
  std::map<std::string, std::string> keys = {
      {"maas.url", impl_->sim->base_url() + "/MAAS"},
      {"maas.api_key_file", "maas-api-key"},
      {"plugins.directories", pluginDir},
      {"plugins.allow_insecure_permissions", "true"},
      {"store.path", state + "/maasprov.db"},
      {"api.listen", "127.0.0.1:0"},
      {"api.token_file", "api-token"},
      {"api.port_file", "api.port"},
      {"log.level", "warn"},
  };
  impl_->keys = keys;
  restartDaemon(options.daemon);
}

void Stack::restartDaemon(const std::map<std::string, std::string>& settings) {
  using daemon::testing::writeFile;
  if (impl_->daemon && impl_->daemon->running()) {
    impl_->daemon->signal(SIGTERM);
    impl_->daemon->waitExit(std::chrono::seconds(30));
  }
  impl_->daemon.reset();
  std::map<std::string, std::string> keys = impl_->keys;
  for (const auto& [k, v] : settings) keys[k] = v;
  std::ostringstream props;
  for (const auto& [k, v] : keys) props << k << " = " << v << "\n";
  // 0600: maasprovd refuses a configuration group or others may read.
  writeFile(impl_->dir.path("maasprovd.properties"), props.str(), 0600);
  std::filesystem::remove(impl_->dir.path("api.port"));
  impl_->logFile = impl_->dir.path("maasprovd-" + std::to_string(++impl_->starts) + ".log");
  impl_->daemon = std::make_unique<daemon::testing::DaemonProcess>(
      std::vector<std::string>{"--config", impl_->dir.path("maasprovd.properties")}, impl_->logFile,
      impl_->binary);
  daemonPort_ = daemon::testing::waitForPortFile(impl_->dir.path("api.port"), *impl_->daemon,
                                                 std::chrono::seconds(60));
  if (daemonPort_ <= 0) {
    throw std::runtime_error("maasprovd did not start: " + daemonLogTail());
  }
}

Stack::~Stack() {
  if (impl_->daemon && impl_->daemon->running()) {
    impl_->daemon->signal(SIGTERM);
    impl_->daemon->waitExit(std::chrono::seconds(20));
  }
  impl_->daemon.reset();
  impl_->sim.reset();
}

int Stack::daemonPid() const {
  return impl_->daemon->pid();
}
int Stack::simPid() const {
  return impl_->sim->pid();
}
bool Stack::daemonRunning() const {
  return impl_->daemon->running();
}

std::string Stack::daemonLogTail(size_t bytes) const {
  std::string text = daemon::testing::readFile(impl_->logFile);
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

Reply Stack::api(const std::string& method, const std::string& path,
                 const std::string& body) const {
  return call(daemonPort_, method, path, body, true);
}

std::map<std::string, double> Stack::metrics() const {
  Reply r = call(daemonPort_, "GET", "/metrics", "", true);
  std::map<std::string, double> out;
  std::istringstream in(r.body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    try {
      out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    } catch (...) {
    }
  }
  return out;
}

std::map<std::string, double> Stack::simCounters(double* total) const {
  Reply r = call(impl_->sim->port(), "GET", "/_sim/counters", "", false);
  auto json = Poco::JSON::Parser().parse(r.body).extract<Poco::JSON::Object::Ptr>();
  std::map<std::string, double> out;
  auto endpoints = json->getObject("endpoints");
  for (const auto& [label, value] : *endpoints) {
    out[label] = value.extract<Poco::JSON::Object::Ptr>()->getValue<double>("total");
  }
  if (total != nullptr) *total = json->getValue<double>("total");
  return out;
}

void Stack::resetSimCounters() const {
  call(impl_->sim->port(), "POST", "/_sim/reset-counters", "", false);
}

Poco::JSON::Object::Ptr Stack::simState() const {
  Reply r = call(impl_->sim->port(), "GET", "/_sim/state", "", false);
  return Poco::JSON::Parser().parse(r.body).extract<Poco::JSON::Object::Ptr>();
}

double sumMetric(const std::map<std::string, double>& metrics, const std::string& name,
                 const std::vector<std::string>& has) {
  double sum = 0;
  for (const auto& [key, value] : metrics) {
    if (key.compare(0, name.size(), name) != 0) continue;
    if (key.size() != name.size() && key[name.size()] != '{') continue;
    bool match = true;
    for (const auto& h : has) match = match && key.find(h) != std::string::npos;
    if (match) sum += value;
  }
  return sum;
}

}  // namespace maasprov::bench
