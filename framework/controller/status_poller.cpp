#include "framework/controller/status_poller.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <vector>

// The SDK's JSON reader, not Poco's: a poll reads whole MAAS machines (kilobytes each) for three
// fields, many times a second while a fleet deploys, and building Poco's Dynamic::Var trees for
// them was a fifth of the daemon's CPU in the provisioning benchmark.
#include "framework/controller/array_split.hpp"
#include "maasprov/json.hpp"

namespace maasprov::controller {
namespace {

// What one answer says of one machine. MAAS's answer is not trusted to be well-formed: a field
// that is absent or not a string reads as "".
struct Seen {
  std::string state;      // status_name
  bool powered = false;   // power_state == "on"
  std::string_view text;  // the machine's JSON, borrowed from the answer's body
  std::size_t hash = 0;   // of `text`
};

// What the last look saw of a machine (from its poller entry), found again by its text's hash.
struct SeenBefore {
  std::string_view systemID;
  std::size_t size;
  std::string_view state;
  bool powered;
};

// MAAS's own steps, during which MAAS powers the machine on and off itself (a VM is powered on
// to commission it, a machine to deploy, test, release or erase it). A power change in one of
// them wakes nobody: the reconcile the step's end wakes records the power with the new state.
bool maasDrivesPower(std::string_view state) {
  for (std::string_view s : {"Commissioning", "Testing", "Deploying", "Releasing", "Disk erasing",
                             "Entering rescue mode", "Exiting rescue mode"}) {
    if (state == s) return true;
  }
  return false;
}

std::string stringValue(std::string_view json) {
  if (json.empty() || json.front() != '"') return {};
  maasprov::json::Value v = maasprov::json::parse(json);
  return v.asString();
}

// Reads only the three fields it needs of each machine: a list of deploying machines is long and
// each machine large, and building every one as a value was most of the poller's cost. The text
// of a machine whose state changed is handed on as it came. A machine whose text is the one the
// last look saw (`known`, by hash and length) is not read again: most looks find nothing new.
// So the answer is split without checking it (splitArrayUnchecked), and each element is checked
// unless it is a text checked before; an answer that does not split cleanly is split by the
// checking reader, which throws the error that fails the round.
void readAnswer(std::string_view body,
                const std::unordered_multimap<std::size_t, const SeenBefore*>& known,
                std::map<std::string, Seen>& seen) {
  std::optional<std::vector<std::string_view>> split = splitArrayUnchecked(body);
  const std::vector<std::string_view> machines =
      split ? std::move(*split) : maasprov::json::arrayElements(body);
  for (std::string_view machine : machines) {
    if (machine.empty() || machine.front() != '{') {
      if (split) maasprov::json::parse(machine);  // not a machine, but still well-formed JSON
      continue;
    }
    Seen s;
    s.text = machine;
    s.hash = std::hash<std::string_view>{}(machine);
    const SeenBefore* same = nullptr;
    for (auto [it, end] = known.equal_range(s.hash); it != end; ++it) {
      if (it->second->size == machine.size()) same = it->second;
    }
    if (same != nullptr) {
      s.state = same->state;
      s.powered = same->powered;
      seen[std::string(same->systemID)] = std::move(s);
      continue;
    }
    std::string id;
    for (const auto& [key, value] : maasprov::json::objectMembers(machine)) {
      if (key == "system_id") {
        id = stringValue(value);
      } else if (key == "status_name") {
        s.state = stringValue(value);
      } else if (key == "power_state") {
        s.powered = stringValue(value) == "on";
      }
    }
    seen[id] = std::move(s);
  }
}

}  // namespace

StatusPoller::StatusPoller(Options options, maas::Transport& transport, Requeue requeue,
                           std::shared_ptr<spdlog::logger> logger, OnRequest onRequest)
    : options_([&] {
        options.minInterval = std::min(options.minInterval, options.interval);
        return options;
      }()),
      transport_(transport),
      requeue_(std::move(requeue)),
      logger_(logger ? std::move(logger) : spdlog::default_logger()),
      onRequest_(std::move(onRequest)) {}

StatusPoller::~StatusPoller() {
  stop();
}

StatusPoller::Clock::time_point StatusPoller::nextLook(const Entry& e,
                                                       Clock::time_point now) const {
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(now - e.since) / 10;
  return now + std::clamp(wait, options_.minInterval, options_.interval);
}

void StatusPoller::track(const std::string& key, const std::string& systemID,
                         const std::string& state, bool powered) {
  const auto now = Clock::now();
  bool sooner = false;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.systemID == systemID && it->second.state == state &&
        it->second.powered == powered) {
      return;  // still waiting for the same thing: keep its back-off
    }
    Entry e;
    e.systemID = systemID;
    e.state = state;
    e.powered = powered;
    e.since = now;
    e.due = nextLook(e, now);
    sooner = e.due < nextWake_;  // else the thread would sleep past it
    entries_[key] = std::move(e);
    observations_.erase(key);
  }
  if (sooner) wake_.notify_all();
}

void StatusPoller::trackUnlessWatched(const std::string& key, const std::string& systemID,
                                      const std::string& state, bool powered) {
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.systemID == systemID) return;
  }
  track(key, systemID, state, powered);
}

void StatusPoller::untrack(const std::string& key) {
  std::lock_guard lock(mutex_);
  entries_.erase(key);
  observations_.erase(key);
}

std::size_t StatusPoller::tracked() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::uint64_t StatusPoller::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::string StatusPoller::takeObservation(const std::string& key, const std::string& systemID) {
  std::lock_guard lock(mutex_);
  auto it = observations_.find(key);
  if (it == observations_.end()) return {};
  Observation o = std::move(it->second);
  observations_.erase(it);
  if (o.systemID != systemID || Clock::now() - o.at > options_.observationTtl) return {};
  return std::move(o.machine);
}

std::size_t StatusPoller::pollOnce() {
  std::vector<std::pair<std::string, Entry>> snapshot;
  {
    std::lock_guard lock(mutex_);
    snapshot.assign(entries_.begin(), entries_.end());
  }
  return poll(std::move(snapshot));
}

std::size_t StatusPoller::poll(std::vector<std::pair<std::string, Entry>> snapshot) {
  if (snapshot.empty()) return 0;

  // A failed list call leaves its machines and those after it to look again no sooner than they
  // would have had it succeeded.
  auto later = [&](std::size_t from) {
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    for (std::size_t i = from; i < snapshot.size(); ++i) {
      auto it = entries_.find(snapshot[i].first);
      if (it != entries_.end()) it->second.due = nextLook(it->second, now);
    }
  };
  std::vector<SeenBefore> views;
  views.reserve(snapshot.size());
  std::unordered_multimap<std::size_t, const SeenBefore*> known;
  for (const auto& [_, e] : snapshot) {
    if (e.lastTextHash == 0) continue;
    views.push_back({e.systemID, e.lastTextSize, e.lastTextState, e.lastTextPowered});
    known.emplace(e.lastTextHash, &views.back());
  }
  // Compares what one list call saw with what was stored, sets each machine's next look and
  // requeues those that changed.
  const auto settle = [&](std::size_t first, std::size_t last,
                          const std::map<std::string, Seen>& seen) {
    std::vector<std::string> changed;
    {
      const auto now = Clock::now();
      std::lock_guard lock(mutex_);
      for (std::size_t i = first; i < last; ++i) {
        const auto& [key, before] = snapshot[i];
        auto current = entries_.find(key);
        // Untracked or re-tracked (a reconcile ran) while we were asking: its own values win.
        if (current == entries_.end() || current->second.systemID != before.systemID ||
            current->second.state != before.state || current->second.powered != before.powered) {
          continue;
        }
        auto it = seen.find(before.systemID);
        std::string state = it == seen.end() ? std::string("<gone>") : it->second.state;
        bool powered = it != seen.end() && it->second.powered;
        if (it != seen.end()) {
          current->second.lastTextHash = it->second.hash;
          current->second.lastTextSize = it->second.text.size();
          current->second.lastTextState = it->second.state;
          current->second.lastTextPowered = it->second.powered;
        }
        if (state == before.state && (powered == before.powered || maasDrivesPower(state))) {
          current->second.powered = powered;  // the baseline the next look compares with
          current->second.due = nextLook(current->second, now);
          continue;
        }
        current->second.state = state;
        current->second.powered = powered;
        current->second.since = now;
        current->second.due = nextLook(current->second, now);
        if (it != seen.end()) {
          observations_[key] = {before.systemID, std::string(it->second.text), now};
        }
        changed.push_back(key);
      }
    }
    for (const auto& key : changed) {
      logger_->debug("status poller: {} changed in MAAS; reconciling it early", key);
      requeue_(key);
    }
    return changed.size();
  };
  // Each list call's machines are settled (compared, requeued, given their next look) as soon as
  // its answer is read: a machine whose state changed is not kept waiting for the round's other
  // calls, which with a fleet deploying at once are several.
  std::size_t requeued = 0;
  for (std::size_t first = 0; first < snapshot.size(); first += options_.batchSize) {
    maas::Request request{"GET", "machines/", "", {}, true};
    const std::size_t last = std::min(snapshot.size(), first + options_.batchSize);
    for (std::size_t i = first; i < last; ++i)
      request.params.emplace_back("id", snapshot[i].second.systemID);
    {
      std::lock_guard lock(mutex_);
      ++requests_;
    }
    if (onRequest_) onRequest_(last - first);
    std::string answer;
    std::map<std::string, Seen> seen;  // system_id -> the machine as MAAS reports it now
    try {
      maas::Response response = transport_.send(request);
      if (response.status != 200) {
        logger_->warn("status poller: MAAS answered GET machines/ with HTTP {}; will retry",
                      response.status);
        later(first);
        return requeued;
      }
      answer = std::move(response.body);
      readAnswer(answer, known, seen);  // `seen` borrows from `answer`
    } catch (const std::exception& e) {
      logger_->warn("status poller: polling MAAS failed: {}; will retry", e.what());
      later(first);
      return requeued;
    }
    requeued += settle(first, last, seen);
  }
  return requeued;
}

void StatusPoller::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      auto next = Clock::now() + options_.interval;
      for (const auto& [_, e] : entries_) next = std::min(next, e.due);
      // Woken early by track() when a machine falls due sooner; the loop works out the rest.
      nextWake_ = next;
      wake_.wait_until(lock, next);
      nextWake_ = Clock::time_point::min();  // awake: it looks at every entry before sleeping
      if (stopping_) break;
      // Everything due now or within the shortest interval goes in this round: machines that
      // fall due about together share list calls, and looking a little early costs nothing.
      const auto horizon = Clock::now() + options_.minInterval;
      std::vector<std::pair<std::string, Entry>> due;
      for (const auto& kv : entries_) {
        if (kv.second.due <= horizon) due.push_back(kv);
      }
      if (due.empty()) continue;
      lock.unlock();
      poll(std::move(due));
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
