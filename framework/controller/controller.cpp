#include "framework/controller/controller.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "framework/controller/status_writer.hpp"
#include "framework/model/maas_cluster.hpp"
#include "framework/model/maas_machine.hpp"
#include "framework/model/object_meta.hpp"

namespace maasprov::controller {
namespace {

const std::string kMachine(model::kMaasMachineKind);
const std::string kCluster(model::kMaasClusterKind);

std::string text(Json obj) {
  if (!obj) return "-";
  std::ostringstream out;
  obj->stringify(out);
  return out.str();
}

std::string textAt(Json obj, const std::string& key) {
  if (!obj || !obj->has(key)) return "-";
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(obj->get(key), out);
  return out.str();
}

// What, when it changes, calls for a reconcile of the object itself: spec (generation), labels,
// annotations, deletion. Status and finalizer writes (the controller's own) do not.
std::string triggerOf(Json obj) {
  Json meta = objectAt(obj, "metadata");
  return std::to_string(intAt(obj, {"metadata", "generation"})) + "|" +
         stringAt(obj, {"metadata", "deletionTimestamp"}).value_or("") + "|" +
         textAt(meta, "labels") + "|" + textAt(meta, "annotations");
}

// What a machine's cluster (its endpoint provider) looks at.
std::string clusterViewOf(Json obj) {
  Json status = objectAt(obj, "status");
  return textAt(objectAt(obj, "metadata"), "labels") + "|" +
         stringAt(obj, {"metadata", "deletionTimestamp"}).value_or("") + "|" +
         textAt(status, "addresses") + "|" + textAt(status, "machinePowered") + "|" +
         textAt(status, "machineState") + "|" + textAt(status, "ready");
}

WorkQueue::Options queueOptions(const ControllerOptions& o) {
  WorkQueue::Options q;
  q.baseDelay = o.backoffBase;
  q.maxDelay = o.backoffMax;
  return q;
}

const ControllerOptions& checked(const ControllerOptions& o) {
  if (o.workers < 1) throw std::invalid_argument("controller workers must be at least 1");
  if (o.pluginTimeout.count() <= 0) throw std::invalid_argument("plugin timeout must be > 0");
  if (o.pollBatchSize < 1) throw std::invalid_argument("poll batch size must be at least 1");
  return o;
}

}  // namespace

Controller::Controller(ControllerOptions options, store::Store& store,
                       plugin::PluginRegistry& registry, maas::Transport* maas,
                       metrics::Registry* metrics, std::shared_ptr<spdlog::logger> logger)
    : options_(checked(options)),
      store_(store),
      registry_(registry),
      maas_(maas),
      logger_(logger ? std::move(logger) : spdlog::default_logger()),
      metrics_(metrics ? std::make_unique<ControllerMetrics>(*metrics) : nullptr),
      queue_(queueOptions(options_)),
      caller_(options_.pluginTimeout),
      gate_(std::make_shared<StoreGate>(store)),
      poller_(maas != nullptr && options_.pollInterval.count() > 0
                  ? std::make_unique<StatusPoller>(
                        StatusPoller::Options{options_.pollInterval, options_.pollBatchSize}, *maas,
                        [this](const std::string& key) { queue_.add(key); }, logger_,
                        [this] {
                          if (metrics_) metrics_->pollerRequests.inc({});
                        })
                  : nullptr),
      ctx_{store,          registry, caller_, poller_.get(),
           metrics_.get(), logger_,  gate_,   options_.requeueInterval},
      machines_(ctx_),
      clusters_(ctx_) {
  if (metrics != nullptr) {
    metrics->addCollector([this] {
      metrics_->queueDepth.set({}, static_cast<double>(queue_.depth()));
      refreshPhaseMetrics();
    });
  }
}

Controller::~Controller() {
  try {
    stop();
  } catch (...) {  // a destructor must not throw; stop() already logged
  }
}

bool Controller::inScope(const std::string& ns) const {
  return options_.namespaces.empty() ||
         std::find(options_.namespaces.begin(), options_.namespaces.end(), ns) !=
             options_.namespaces.end();
}

void Controller::start() {
  std::uint64_t version = listAndQueue();
  subscribe(version);
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { worker(); });
  if (poller_) poller_->start();
  timer_ = std::thread([this] { timerLoop(); });
  ready_ = true;
  logger_->info(
      "controller started: {} worker(s), namespaces: {}", options_.workers,
      options_.namespaces.empty() ? std::string("all") : [this] {
        std::string s;
        for (const auto& n : options_.namespaces) s += (s.empty() ? "" : ",") + n;
        return s;
      }());
}

void Controller::stop() {
  {
    std::lock_guard lock(timerMutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  ready_ = false;
  timerWake_.notify_all();
  queue_.shutdown();
  caller_.cancelAll();
  if (poller_) poller_->stop();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  if (timer_.joinable()) timer_.join();
  subscription_.reset();
  // Abandoned plugin calls may still be running; their checkpoints must not reach the store.
  gate_->close();
  if (!caller_.waitIdle(std::chrono::milliseconds(200))) {
    logger_->warn("controller stopped with {} plugin call(s) still running (cancelled)",
                  caller_.running());
  }
  logger_->info("controller stopped");
}

std::uint64_t Controller::listAndQueue() {
  std::uint64_t version = 0;
  bool first = true;
  std::size_t count = 0;
  for (const auto& kind : {kCluster, kMachine}) {
    auto list = store_.list(kind, std::nullopt);
    // The oldest snapshot: watching from there misses nothing (duplicates are de-duplicated).
    version = first ? list.resourceVersion : std::min(version, list.resourceVersion);
    first = false;
    for (const auto& obj : list.items) {
      auto key = keyOf(obj);
      if (!inScope(key.ns)) continue;
      std::string queue = queueKey(kind, key.ns, key.name);
      {
        std::lock_guard lock(cacheMutex_);
        triggers_[queue] = triggerOf(obj);
        if (kind == kMachine) {
          clusterViews_[queue] = clusterViewOf(obj);
          phases_[queue] = machinePhase(obj);
        }
      }
      queue_.add(queue);
      ++count;
    }
  }
  logger_->info("resync: queued {} object(s)", count);
  return version;
}

void Controller::resync() {
  listAndQueue();
}

void Controller::subscribe(std::uint64_t fromVersion) {
  subscription_.reset();
  subscription_ = store_.watch(fromVersion, [this](const store::WatchEvent& e) { onEvent(e); });
}

void Controller::enqueueMachinesOf(const std::string& ns, const std::string& cluster) {
  const std::string label(model::kClusterNameLabel);
  auto list = store_.list(kMachine, ns, [&](const store::Labels& labels) {
    auto it = labels.find(label);
    return it != labels.end() && it->second == cluster;
  });
  for (const auto& m : list.items) {
    auto key = keyOf(m);
    queue_.add(queueKey(kMachine, key.ns, key.name));
  }
}

void Controller::enqueueMachinesUsingSecret(const std::string& ns, const std::string& secret) {
  auto list = store_.list(kMachine, ns);
  for (const auto& m : list.items) {
    if (stringAt(m, {"spec", "bootstrapDataSecretName"}).value_or("") != secret) continue;
    auto key = keyOf(m);
    queue_.add(queueKey(kMachine, key.ns, key.name));
  }
}

void Controller::onEvent(const store::WatchEvent& event) {
  if (event.type == store::EventType::Error) {
    logger_->warn("store watch ended ({}); listing everything again", text(event.object));
    rewatch_ = true;
    timerWake_.notify_all();
    return;
  }
  Json obj = event.object;
  auto key = keyOf(obj);
  if (!inScope(key.ns)) return;
  const std::string queue = queueKey(key.kind, key.ns, key.name);
  const bool deleted = event.type == store::EventType::Deleted;

  if (key.kind == kSecretKind) {
    if (!deleted) enqueueMachinesUsingSecret(key.ns, key.name);
    return;
  }
  if (key.kind != kMachine && key.kind != kCluster) return;

  bool reconcileSelf = false;
  bool reconcileCluster = false;
  bool firstSight = false;
  {
    std::lock_guard lock(cacheMutex_);
    if (deleted) {
      triggers_.erase(queue);
      clusterViews_.erase(queue);
      phases_.erase(queue);
      reconcileCluster = key.kind == kMachine;
    } else {
      std::string trigger = triggerOf(obj);
      auto it = triggers_.find(queue);
      firstSight = it == triggers_.end();
      reconcileSelf = firstSight || it->second != trigger;
      triggers_[queue] = trigger;
      if (key.kind == kMachine) {
        std::string view = clusterViewOf(obj);
        auto v = clusterViews_.find(queue);
        reconcileCluster = v == clusterViews_.end() || v->second != view;
        clusterViews_[queue] = view;
        phases_[queue] = machinePhase(obj);
      }
    }
  }
  if (reconcileSelf) queue_.add(queue);
  if (reconcileCluster) {
    std::string cluster;
    if (Json labels = objectAt(objectAt(obj, "metadata"), "labels")) {
      cluster = labels->optValue<std::string>(std::string(model::kClusterNameLabel), "");
    }
    if (!cluster.empty()) queue_.add(queueKey(kCluster, key.ns, cluster));
  }
  // A new cluster (or a changed one) may be what its machines are waiting for.
  if (key.kind == kCluster && reconcileSelf && !deleted) enqueueMachinesOf(key.ns, key.name);
  (void)firstSight;
}

void Controller::refreshPhaseMetrics() {
  if (!metrics_) return;
  std::map<metrics::LabelValues, double> counts;
  for (const char* phase : {"Pending", "Provisioning", "Ready", "Failed", "Deleting"}) {
    counts[{phase}] = 0;
  }
  {
    std::lock_guard lock(cacheMutex_);
    for (const auto& [_, phase] : phases_) counts[{phase}] += 1;
  }
  metrics_->machinesByPhase.replaceAll(counts);
}

void Controller::worker() {
  while (auto key = queue_.get()) {
    try {
      process(*key);
    } catch (const std::exception& e) {
      logger_->error("{}: reconcile failed: {}", *key, e.what());
      if (!queue_.shuttingDown()) queue_.addRateLimited(*key);
      if (metrics_) {
        std::string kind = key->substr(0, key->find('/'));
        metrics_->reconciles.inc({kind, "error"});
      }
    }
    queue_.done(*key);
  }
}

void Controller::process(const std::string& queue) {
  store::ObjectKey key = parseQueueKey(queue);
  const auto started = std::chrono::steady_clock::now();
  ReconcileOutcome outcome =
      key.kind == kMachine ? machines_.reconcile(key) : clusters_.reconcile(key);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ++reconciles_;
  if (metrics_) {
    metrics_->reconciles.inc({key.kind, outcome.result});
    metrics_->latency.observe({key.kind}, seconds);
  }
  logger_->debug("{} {}/{}: reconciled ({}, {:.3f} s)", key.kind, key.ns, key.name, outcome.result,
                 seconds);
  if (queue_.shuttingDown()) return;
  switch (outcome.next) {
    case ReconcileOutcome::Next::None:
      queue_.forget(queue);
      break;
    case ReconcileOutcome::Next::After:
      if (outcome.result != "error") queue_.forget(queue);
      queue_.addAfter(queue, outcome.after);
      break;
    case ReconcileOutcome::Next::Backoff: {
      auto delay = queue_.addRateLimited(queue);
      logger_->debug("{} {}/{}: retrying in {} ms", key.kind, key.ns, key.name, delay.count());
      break;
    }
  }
}

void Controller::timerLoop() {
  auto nextResync = std::chrono::steady_clock::now() + options_.resyncInterval;
  std::unique_lock lock(timerMutex_);
  while (!stopping_) {
    timerWake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_ || rewatch_; });
    if (stopping_) break;
    bool rewatch = rewatch_.exchange(false);
    bool due =
        options_.resyncInterval.count() > 0 && std::chrono::steady_clock::now() >= nextResync;
    if (!rewatch && !due) continue;
    lock.unlock();
    try {
      std::uint64_t version = listAndQueue();
      if (rewatch) subscribe(version);
    } catch (const std::exception& e) {
      logger_->error("resync failed: {}; retrying", e.what());
      rewatch_ = rewatch_ || rewatch;
    }
    nextResync = std::chrono::steady_clock::now() + options_.resyncInterval;
    lock.lock();
  }
}

}  // namespace maasprov::controller
