#include "framework/controller/controller.hpp"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "framework/controller/object_view.hpp"
#include "framework/controller/status_writer.hpp"
#include "framework/model/condition.hpp"
#include "framework/model/maas_cluster.hpp"
#include "framework/model/maas_machine.hpp"
#include "framework/model/object_meta.hpp"
#include "framework/model/time.hpp"

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

// Hands memory freed by a resync (a scan parses every stored object once) back to the system:
// glibc keeps freed heap in its arenas otherwise, and the daemon's RSS would stay at its
// high-water mark for good.
void releaseFreeMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
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
      caller_(options_.pluginTimeout,
              [this](const std::string& key, const std::string& plugin, std::thread::id stuck) {
                replaceStuckWorker(key, plugin, stuck);
              }),
      gate_(std::make_shared<StoreGate>(store)),
      poller_(maas != nullptr && options_.pollInterval.count() > 0
                  ? std::make_unique<StatusPoller>(
                        StatusPoller::Options{options_.pollInterval, options_.pollMinInterval,
                                              options_.pollBatchSize},
                        *maas, [this](const std::string& key) { queue_.add(key); }, logger_,
                        [this](std::size_t machines) {
                          if (!metrics_) return;
                          metrics_->pollerRequests.inc({});
                          metrics_->pollerMachines.inc({}, static_cast<double>(machines));
                        })
                  : nullptr),
      ctx_{store,          registry, caller_, poller_.get(),           &index_,
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
  {
    std::lock_guard lock(workersMutex_);
    for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { worker(); });
  }
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
  caller_.cancelAll();  // no worker is replaced after this
  if (poller_) poller_->stop();
  // Cancelled calls mostly return at once (their MAAS calls and checkpoints are refused). A
  // worker still inside one cannot be joined: it is let go, and leaves when its plugin returns
  // without touching this controller (CallAbandoned).
  caller_.waitIdle(std::chrono::milliseconds(200));
  const std::vector<std::thread::id> stuck = caller_.orphanRunning();
  {
    std::lock_guard lock(workersMutex_);
    for (auto& w : workers_) {
      if (!w.joinable()) continue;
      if (std::find(stuck.begin(), stuck.end(), w.get_id()) != stuck.end()) {
        w.detach();
      } else {
        w.join();
      }
    }
  }
  if (timer_.joinable()) timer_.join();
  subscription_.reset();
  // Abandoned plugin calls may still be running; their checkpoints must not reach the store.
  gate_->close();
  if (!stuck.empty()) {
    logger_->warn("controller stopped with {} plugin call(s) still running (cancelled)",
                  stuck.size());
  }
  logger_->info("controller stopped");
}

std::uint64_t Controller::listAndQueue() {
  std::uint64_t version = 0;
  bool first = true;
  std::size_t count = 0;
  for (const auto& kind : {kCluster, kMachine}) {
    // One document at a time: a resync of 10,000 machines must not hold them all.
    // Texts, as the watch reads them: nothing is parsed (ObjectView).
    std::uint64_t snapshot = store_.scanTexts(kind, std::nullopt, [&](std::string_view text) {
      const ObjectView view = ObjectView::fromText(std::make_shared<const std::string>(text));
      if (!inScope(view.ns())) return;
      std::string queue = queueKey(kind, view.ns(), view.name());
      if (kind == kMachine) {
        index_.upsert(view);
      } else {
        std::lock_guard lock(cacheMutex_);
        clusterTriggers_[queue] = view.trigger();
      }
      queue_.add(queue);
      ++count;
    });
    // The oldest snapshot: watching from there misses nothing (duplicates are de-duplicated).
    version = first ? snapshot : std::min(version, snapshot);
    first = false;
  }
  logger_->info("resync: queued {} object(s)", count);
  releaseFreeMemory();
  return version;
}

void Controller::resync() {
  listAndQueue();
}

void Controller::subscribe(std::uint64_t fromVersion) {
  subscription_.reset();
  // Texts, not trees: each event is read for a few fields (ObjectView).
  subscription_ =
      store_.watchTexts(fromVersion, [this](const store::WatchEvent& e) { onEvent(e); });
}

void Controller::enqueueMachinesOf(const std::string& ns, const std::string& cluster) {
  for (const auto& name : index_.machinesOf(ns, cluster)) queue_.add(queueKey(kMachine, ns, name));
}

void Controller::enqueueMachinesUsingSecret(const std::string& ns, const std::string& secret) {
  for (const auto& name : index_.usingSecret(ns, secret)) {
    queue_.add(queueKey(kMachine, ns, name));
  }
}

void Controller::onEvent(const store::WatchEvent& event) {
  if (event.type == store::EventType::Error) {
    logger_->warn("store watch ended ({}); listing everything again", text(event.object));
    rewatch_ = true;
    timerWake_.notify_all();
    return;
  }
  std::optional<ObjectView> view;
  try {
    view = ObjectView::fromText(event.text);
  } catch (const std::exception& e) {
    logger_->error("store watch: event at resourceVersion {} skipped: {}", event.resourceVersion,
                   e.what());
    return;
  }
  const store::ObjectKey key{view->kind(), view->ns(), view->name()};
  if (!inScope(key.ns)) return;
  const std::string queue = queueKey(key.kind, key.ns, key.name);
  const bool deleted = event.type == store::EventType::Deleted;

  if (key.kind == kSecretKind) {
    if (!deleted) enqueueMachinesUsingSecret(key.ns, key.name);
    return;
  }
  if (key.kind != kMachine && key.kind != kCluster) return;

  bool reconcileSelf = false;
  std::string cluster;          // the cluster to reconcile because of this machine
  std::string previousCluster;  // ... and the one it left
  if (key.kind == kMachine) {
    if (deleted) {
      cluster = index_.erase(key.ns, key.name);
    } else {
      MachineIndex::Update update = index_.upsert(*view);
      reconcileSelf = update.triggerChanged;
      if (update.clusterViewChanged) cluster = update.cluster;
      previousCluster = update.previousCluster;
    }
  } else {
    std::lock_guard lock(cacheMutex_);
    if (deleted) {
      clusterTriggers_.erase(queue);
    } else {
      std::size_t trigger = view->trigger();
      auto it = clusterTriggers_.find(queue);
      reconcileSelf = it == clusterTriggers_.end() || it->second != trigger;
      clusterTriggers_[queue] = trigger;
    }
  }
  if (reconcileSelf) queue_.add(queue);
  if (!cluster.empty()) queue_.add(queueKey(kCluster, key.ns, cluster));
  if (!previousCluster.empty()) queue_.add(queueKey(kCluster, key.ns, previousCluster));
  // A new cluster (or a changed one) may be what its machines are waiting for. One being deleted
  // is not: it waits for them instead (their deletions wake it), and waking all of them here
  // had cost each a reconcile, with its MAAS lookups, while they were being released.
  if (key.kind == kCluster && reconcileSelf && !deleted && !view->beingDeleted()) {
    enqueueMachinesOf(key.ns, key.name);
  }
}

void Controller::refreshPhaseMetrics() {
  if (!metrics_) return;
  std::map<metrics::LabelValues, double> counts;
  for (const char* phase : {"Pending", "Provisioning", "Ready", "Failed", "Deleting"}) {
    counts[{phase}] = 0;
  }
  for (const auto& [phase, n] : index_.phases()) counts[{phase}] += static_cast<double>(n);
  metrics_->machinesByPhase.replaceAll(counts);
}

void Controller::worker() {
  while (auto key = queue_.get()) {
    try {
      process(*key);
    } catch (const CallAbandoned&) {
      // Replaced while stuck in a plugin call (replaceStuckWorker): the key is another
      // worker's now and this controller may be gone. Leave without touching either.
      return;
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

void Controller::replaceStuckWorker(const std::string& key, const std::string& plugin,
                                    std::thread::id stuck) {
  logger_->warn(
      "{}: plugin '{}' did not return within {} ms: its call is cancelled, a new worker "
      "takes the place of the one it holds, and the object is retried",
      key, plugin, options_.pluginTimeout.count());
  {
    std::lock_guard lock(workersMutex_);
    if (queue_.shuttingDown()) return;
    for (auto& w : workers_) {
      if (w.joinable() && w.get_id() == stuck) w.detach();
    }
    std::erase_if(workers_, [](const std::thread& w) { return !w.joinable(); });
    workers_.emplace_back([this] { worker(); });
  }
  if (key.empty()) return;
  if (metrics_) metrics_->reconciles.inc({key.substr(0, key.find('/')), "error"});
  // What the stuck worker's reconcile would have written had the call returned at the timeout.
  const plugin::PluginFailure failure = PluginCaller::timedOut(plugin, options_.pluginTimeout);
  try {
    writeWithRetry(store_, parseQueueKey(key), WritePart::Status, [&](Json obj) {
      return setCondition(ensureStatus(obj),
                          {std::string(model::kConditionReady), std::string(model::kConditionFalse),
                           plugin::errorTypeName(failure.type), describeFailure(failure),
                           std::string(model::kSeverityWarning)},
                          model::now());
    });
  } catch (const std::exception& e) {
    logger_->error("{}: could not record the plugin's timeout: {}", key, e.what());
  }
  // On the stuck worker's behalf, which never returns to the queue. Retries are refused as
  // busy, with the timeout's message, until the plugin returns.
  queue_.done(key);
  queue_.addRateLimited(key);
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
