#include "framework/controller/status_poller.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <spdlog/spdlog.h>

#include <vector>

namespace maasprov::controller {

StatusPoller::StatusPoller(Options options, maas::Transport& transport, Requeue requeue,
                           std::shared_ptr<spdlog::logger> logger, OnRequest onRequest)
    : options_(options),
      transport_(transport),
      requeue_(std::move(requeue)),
      logger_(logger ? std::move(logger) : spdlog::default_logger()),
      onRequest_(std::move(onRequest)) {}

StatusPoller::~StatusPoller() {
  stop();
}

void StatusPoller::track(const std::string& key, const std::string& systemID,
                         const std::string& state, bool powered) {
  std::lock_guard lock(mutex_);
  entries_[key] = Entry{systemID, state, powered};
}

void StatusPoller::untrack(const std::string& key) {
  std::lock_guard lock(mutex_);
  entries_.erase(key);
}

std::size_t StatusPoller::tracked() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::uint64_t StatusPoller::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t StatusPoller::pollOnce() {
  std::vector<std::pair<std::string, Entry>> snapshot;
  {
    std::lock_guard lock(mutex_);
    snapshot.assign(entries_.begin(), entries_.end());
  }
  if (snapshot.empty()) return 0;

  // system_id -> (status_name, power_state) as MAAS reports them now.
  std::map<std::string, std::pair<std::string, std::string>> seen;
  for (std::size_t first = 0; first < snapshot.size(); first += options_.batchSize) {
    maas::Request request{"GET", "machines/", "", {}, true};
    std::size_t last = std::min(snapshot.size(), first + options_.batchSize);
    for (std::size_t i = first; i < last; ++i)
      request.params.emplace_back("id", snapshot[i].second.systemID);
    {
      std::lock_guard lock(mutex_);
      ++requests_;
    }
    if (onRequest_) onRequest_();
    try {
      maas::Response response = transport_.send(request);
      if (response.status != 200) {
        logger_->warn("status poller: MAAS answered GET machines/ with HTTP {}; will retry",
                      response.status);
        return 0;
      }
      auto list = Poco::JSON::Parser().parse(response.body).extract<Poco::JSON::Array::Ptr>();
      for (std::size_t i = 0; i < list->size(); ++i) {
        auto m = list->getObject(static_cast<unsigned>(i));
        if (!m) continue;
        seen[m->optValue<std::string>("system_id", "")] = {
            m->optValue<std::string>("status_name", ""),
            m->optValue<std::string>("power_state", "")};
      }
    } catch (const std::exception& e) {
      logger_->warn("status poller: polling MAAS failed: {}; will retry", e.what());
      return 0;
    }
  }

  std::vector<std::string> changed;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, before] : snapshot) {
      auto current = entries_.find(key);
      // Untracked or re-tracked (a reconcile ran) while we were asking: its own values win.
      if (current == entries_.end() || current->second.systemID != before.systemID ||
          current->second.state != before.state || current->second.powered != before.powered) {
        continue;
      }
      auto it = seen.find(before.systemID);
      std::string state = it == seen.end() ? std::string("<gone>") : it->second.first;
      bool powered = it != seen.end() && it->second.second == "on";
      if (state == before.state && powered == before.powered) continue;
      current->second.state = state;
      current->second.powered = powered;
      changed.push_back(key);
    }
  }
  for (const auto& key : changed) {
    logger_->debug("status poller: {} changed in MAAS; reconciling it early", key);
    requeue_(key);
  }
  return changed.size();
}

void StatusPoller::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      pollOnce();
      lock.lock();
    }
  });
}

void StatusPoller::stop() {
  std::thread thread;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  wake_.notify_all();
  if (thread.joinable()) thread.join();
}

}  // namespace maasprov::controller
