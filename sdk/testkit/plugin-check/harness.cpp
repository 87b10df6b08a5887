#include "harness.hpp"

#include "framework/plugin/request_document.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>

namespace maasprov::check {

Poco::JSON::Object::Ptr cloneObject(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  Poco::JSON::Parser parser;
  return parser.parse(out.str()).extract<Poco::JSON::Object::Ptr>();
}

std::string describeFailure(const plugin::CallOutcome& o) {
  if (!o.error) return "ok";
  return std::string(plugin::errorTypeName(o.error->type)) +
         (o.error->retryable ? " (retryable)" : " (terminal)") + ": " + o.error->message;
}

Harness::Harness(const Settings& settings, Backend backend) : settings_(settings) {
  switch (backend) {
    case Backend::Maas:
      inner_ = makeMaasClient(settings.maasUrl, settings.maasKey);
      break;
    case Backend::Unreachable:
      inner_ = std::make_unique<UnreachableTransport>();
      break;
    case Backend::ServerError:
      inner_ = std::make_unique<CannedTransport>(500, "text/html",
                                                 "<html><body>Internal Server Error</body></html>");
      break;
    case Backend::Garbage:
      inner_ = std::make_unique<CannedTransport>(200, "application/json", "{\"system_id\": [");
      break;
  }
  recording_ = std::make_unique<RecordingTransport>(*inner_, events_);
  auto env = std::make_shared<plugin::HostEnvironment>();
  env->transport = recording_.get();
  library_ = plugin::PluginLibrary::load(settings.plugin);
  // The sample machine asks for the plugin's own mode unless the user's sample names one.
  settings_.machine = cloneObject(settings.machine);
  auto spec = settings_.machine->getObject("spec");
  if (spec && !spec->has("provisioningMode") && !library_->modes().empty()) {
    spec->set("provisioningMode", library_->modes().front());
  }
  instance_ = plugin::PluginInstance::create(library_, env, settings.config);
}

bool Harness::isProvisioner() const {
  return library_->kind() == plugin::Kind::MachineProvisioner;
}

Poco::JSON::Object::Ptr Harness::freshObject(const std::string& tag) const {
  static std::atomic<int> counter{0};
  auto obj = cloneObject(isProvisioner() ? settings_.machine : settings_.cluster);
  auto meta = obj->getObject("metadata");
  // Unique across runs against one long-lived MAAS: pid, time and a counter.
  const auto now = std::chrono::system_clock::now().time_since_epoch().count();
  const std::string unique = std::to_string(::getpid()) + "-" + std::to_string(now % 1000000007) +
                             "-" + std::to_string(counter++);
  meta->set("name", meta->getValue<std::string>("name") + "-" + tag + "-" +
                        std::to_string(::getpid() % 100000) + "-" + std::to_string(counter.load()));
  meta->set("uid", "check-" + unique);
  if (!obj->has("status") || !obj->isObject("status")) {
    obj->set("status", Poco::makeShared<Poco::JSON::Object>());
  }
  return obj;
}

std::string Harness::requestFor(const Poco::JSON::Object::Ptr& object,
                                plugin::CallOptions& options) const {
  plugin::RequestParts parts;
  parts.object = object;
  parts.cluster = isProvisioner() ? settings_.cluster : object;
  parts.userDataBase64 = "I2Nsb3VkLWNvbmZpZwo=";  // "#cloud-config\n"
  // As maasprovd offers them; the object's cluster has no other machines.
  options.machines = plugin::offerMachines(*library_, parts, {});
  return plugin::makeRequestDocument(parts);
}

plugin::CallOptions Harness::callOptions(const Poco::JSON::Object::Ptr& object) const {
  plugin::CallOptions options;
  if (object) options.objectKey = object->getObject("metadata")->optValue<std::string>("name", "");
  options.timeout = std::chrono::seconds(60);
  return options;
}

namespace {
void merge(Poco::JSON::Object::Ptr object, const Poco::JSON::Object::Ptr& patch) {
  if (!patch) return;
  auto status = object->getObject("status");
  if (!status) {
    status = Poco::makeShared<Poco::JSON::Object>();
    object->set("status", status);
  }
  for (const auto& [key, value] : *patch) status->set(key, value);
}
}  // namespace

plugin::CallOutcome Harness::reconcile(const Poco::JSON::Object::Ptr& object, Feedback feedback,
                                       bool failCheckpoints) {
  plugin::CallOptions options = callOptions(object);
  std::vector<Poco::JSON::Object::Ptr> stored;
  options.checkpoint = [&](const Poco::JSON::Object::Ptr& status) {
    if (failCheckpoints) {
      events_.add({Event::Kind::CheckpointRefused, "", "", "", 0, "", ""});
      throw std::runtime_error("checkpoint refused by maasprov-plugin-check");
    }
    events_.add({Event::Kind::CheckpointStored, "", "", "", 0, "", ""});
    stored.push_back(cloneObject(status));
  };
  plugin::CallOutcome out = instance_->reconcile(requestFor(object, options), options);
  if (feedback != Feedback::None) {
    for (const auto& s : stored) merge(object, s);
  }
  if (feedback == Feedback::All) merge(object, out.status);
  return out;
}

plugin::CallOutcome Harness::remove(const Poco::JSON::Object::Ptr& object) {
  plugin::CallOptions options = callOptions(object);
  std::vector<Poco::JSON::Object::Ptr> stored;
  options.checkpoint = [&](const Poco::JSON::Object::Ptr& status) {
    stored.push_back(cloneObject(status));
  };
  plugin::CallOutcome out = instance_->remove(requestFor(object, options), options);
  for (const auto& s : stored) merge(object, s);
  merge(object, out.status);
  return out;
}

std::optional<std::string> Harness::removeUntilDone(const Poco::JSON::Object::Ptr& object) {
  std::string last;
  for (int round = 0; round < settings_.rounds; ++round) {
    plugin::CallOutcome out = remove(object);
    if (out.ok() && out.done) return std::nullopt;
    last = out.ok() ? "not done yet" : describeFailure(out);
    if (out.error && !out.error->retryable) break;
    pause(out);
  }
  return "remove() did not report done after " + std::to_string(settings_.rounds) +
         " rounds; last answer: " + last;
}

plugin::CallOutcome Harness::reconcileRaw(const std::string& request) {
  plugin::CallOptions options = callOptions(nullptr);
  plugin::RequestParts ignored;  // the request is given; only what answers cluster_machines
  options.machines = plugin::offerMachines(*library_, ignored, {});
  return instance_->reconcile(request, options);
}

void Harness::pause(const plugin::CallOutcome& outcome) {
  std::chrono::milliseconds wait(200);
  if (outcome.requeueAfter)
    wait = std::chrono::duration_cast<std::chrono::milliseconds>(*outcome.requeueAfter);
  if (outcome.error && outcome.error->requeueAfter.count() > 0) wait = outcome.error->requeueAfter;
  std::this_thread::sleep_for(std::min(wait, std::chrono::milliseconds(2000)));
}

}  // namespace maasprov::check
