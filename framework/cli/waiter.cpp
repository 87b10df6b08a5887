#include "framework/cli/waiter.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/NumberParser.h>
#include <Poco/StringTokenizer.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "framework/cli/cli_error.hpp"
#include "framework/cli/printers.hpp"
#include "framework/cli/progress.hpp"
#include "framework/cli/table.hpp"
#include "framework/model/condition.hpp"

namespace maasprov::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::string keyOf(const model::Object& o) {
  const auto& m = model::metadataOf(o);
  return m.namespace_ + "/" + m.name;
}

const std::vector<model::Condition>* conditionsOf(const model::Object& o) {
  if (auto* m = std::get_if<model::MaasMachine>(&o)) return &m->status.conditions;
  if (auto* c = std::get_if<model::MaasCluster>(&o)) return &c->status.conditions;
  return nullptr;
}

ProgressEntry entryFor(const model::Object& o) {
  ProgressEntry e{objectRef(o), "", ""};
  if (auto* m = std::get_if<model::MaasMachine>(&o)) {
    e.phase = machinePhase(*m);
    e.detail = machineProgress(*m);
    return e;
  }
  const auto& meta = model::metadataOf(o);
  if (meta.deletionTimestamp) {
    e.phase = e.detail = "Deleting";
  } else if (auto* c = std::get_if<model::MaasCluster>(&o)) {
    e.phase = c->status.ready ? "Ready" : "Pending";
    e.detail = e.phase;
    const auto* ready = model::findCondition(c->status.conditions, model::kConditionReady);
    if (!c->status.ready && ready && !ready->reason.empty()) e.detail += " (" + ready->reason + ")";
  } else {
    e.phase = e.detail = "Present";
  }
  return e;
}

class Tracker {
 public:
  Tracker(ApiClient& client, const WaitSpec& spec) : client_(client), spec_(spec) {}

  // Lists afresh; returns the list's resourceVersion.
  std::string relist() {
    auto list = client_.getJson(path(false, 0));
    objects_.clear();
    for (auto& o : decodeServerList(list)) {
      std::string key = keyOf(o);
      if (wanted(o)) {
        tracked_.insert(key);
        objects_.insert_or_assign(key, std::move(o));
      }
    }
    auto meta = list->getObject("metadata");
    return meta ? meta->optValue<std::string>("resourceVersion", "0") : "0";
  }

  // Applies one watch event; returns false when the stream asks for a re-list (410).
  bool apply(const Poco::JSON::Object::Ptr& event, std::string& rv) {
    const std::string type = event->optValue<std::string>("type", "");
    auto json = event->getObject("object");
    if (type == "ERROR" || !json) return false;
    model::Object o = decodeServerObject(json);
    const std::string key = keyOf(o);
    rv = model::metadataOf(o).resourceVersion;
    if (!wanted(o)) return true;
    if (type == "DELETED") {
      objects_.erase(key);
      if (!spec_.forDeletion && tracked_.count(key)) {
        throw CliError(kExitFailed, objectRef(o) + " was deleted while waiting for " + goal());
      }
    } else {
      tracked_.insert(key);
      objects_.insert_or_assign(key, std::move(o));
    }
    return true;
  }

  void requireNamed() {
    for (const auto& name : spec_.names) {
      tracked_.insert(spec_.ns + "/" + name);
      if (!spec_.forDeletion && !objects_.count(spec_.ns + "/" + name)) {
        throw CliError(kExitFailed, spec_.type->kind + " " + spec_.ns + "/" + name + " not found");
      }
    }
    if (!spec_.forDeletion && tracked_.empty()) {
      std::string where = spec_.ns.empty() ? "in any namespace" : "in namespace " + spec_.ns;
      if (!spec_.selector.empty()) where += " matching " + spec_.selector;
      throw CliError(kExitFailed, "no " + spec_.type->plural + " found " + where);
    }
  }

  bool done(const std::string& key) const {
    auto it = objects_.find(key);
    if (spec_.forDeletion) return it == objects_.end();
    if (it == objects_.end()) return false;
    const auto* conditions = conditionsOf(it->second);
    const auto* c = conditions ? model::findCondition(*conditions, spec_.conditionType) : nullptr;
    return c != nullptr && c->status == spec_.conditionStatus;
  }

  bool allDone() const {
    return std::all_of(tracked_.begin(), tracked_.end(), [&](auto& k) { return done(k); });
  }

  std::vector<ProgressEntry> entries() const {
    std::vector<ProgressEntry> out;
    for (const auto& key : tracked_) {
      auto it = objects_.find(key);
      if (it != objects_.end()) {
        out.push_back(entryFor(it->second));
      } else {
        out.push_back(
            {spec_.type->singular + "/" + key.substr(key.find('/') + 1), "Deleted", "Deleted"});
      }
    }
    return out;
  }

  std::vector<std::string> refs() const {
    std::vector<std::string> out;
    for (const auto& key : tracked_) {
      out.push_back(spec_.type->singular + "/" + key.substr(key.find('/') + 1));
    }
    return out;
  }

  std::string pending() const {
    std::string text;
    std::size_t n = 0;
    for (const auto& e : entries()) {
      if (done(keyFromRef(e))) continue;
      ++n;
      text += (text.empty() ? "" : "; ") + e.ref + " is " + e.detail;
    }
    return std::to_string(n) + " of " + std::to_string(tracked_.size()) + " " + spec_.type->plural +
           " still pending: " + text;
  }

  std::string goal() const {
    return spec_.forDeletion
               ? std::string("deletion")
               : "condition=" + spec_.conditionType +
                     (spec_.conditionStatus == "True" ? "" : "=" + spec_.conditionStatus);
  }

  std::string path(bool watch, int timeoutSeconds, const std::string& rv = "") const {
    std::string query;
    auto add = [&](const std::string& kv) { query += (query.empty() ? "?" : "&") + kv; };
    if (!spec_.selector.empty()) add("labelSelector=" + queryEscape(spec_.selector));
    if (spec_.names.size() == 1)
      add("fieldSelector=" + queryEscape("metadata.name=" + spec_.names[0]));
    if (watch) {
      add("watch=1");
      add("resourceVersion=" + rv);
      add("timeoutSeconds=" + std::to_string(timeoutSeconds));
    }
    return spec_.type->listPath(spec_.ns) + query;
  }

  std::size_t size() const { return tracked_.size(); }

 private:
  std::string keyFromRef(const ProgressEntry& e) const {
    for (const auto& key : tracked_) {
      if (spec_.type->singular + "/" + key.substr(key.find('/') + 1) == e.ref) return key;
    }
    return {};
  }

  bool wanted(const model::Object& o) const {
    if (spec_.names.empty()) return true;
    const auto& name = model::metadataOf(o).name;
    return std::find(spec_.names.begin(), spec_.names.end(), name) != spec_.names.end();
  }

  ApiClient& client_;
  const WaitSpec& spec_;
  std::map<std::string, model::Object> objects_;  // ns/name -> latest state
  std::set<std::string> tracked_;                 // ns/name of every awaited object
};

}  // namespace

void parseWaitFor(const std::string& text, WaitSpec& spec) {
  if (text == "delete") {
    spec.forDeletion = true;
    return;
  }
  Poco::StringTokenizer parts(text, "=");
  if (parts.count() >= 2 && parts.count() <= 3 && parts[0] == "condition" && !parts[1].empty()) {
    spec.conditionType = parts[1];
    spec.conditionStatus = parts.count() == 3 ? parts[2] : "True";
    if (spec.conditionStatus == "True" || spec.conditionStatus == "False" ||
        spec.conditionStatus == "Unknown") {
      return;
    }
  }
  throw usageError("--for: expected condition=TYPE[=True|False|Unknown] or delete, got '" + text +
                   "'");
}

std::vector<std::string> waitFor(ApiClient& client, const WaitSpec& spec, Terminal& terminal) {
  const auto deadline = Clock::now() + spec.timeout;
  Tracker tracker(client, spec);
  std::string rv = tracker.relist();
  tracker.requireNamed();
  if (tracker.allDone()) return tracker.refs();

  std::string what = std::to_string(tracker.size()) + " " +
                     (tracker.size() == 1 ? spec.type->singular : spec.type->plural) + " (" +
                     tracker.goal() + ")";
  Progress progress(terminal, what);
  progress.update(tracker.entries());
  for (;;) {
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (remaining.count() <= 0) {
      progress.finish();
      const std::string limit =
          !spec.timeoutText.empty()
              ? spec.timeoutText
              : humanDuration(std::chrono::duration_cast<std::chrono::seconds>(spec.timeout));
      throw CliError(kExitTimeout, "timed out after " + limit + " waiting for " + tracker.goal() +
                                       ": " + tracker.pending());
    }
    // On a terminal the stream ends every second so the elapsed time keeps ticking.
    int seconds = static_cast<int>(std::ceil(remaining.count() / 1000.0));
    seconds = std::clamp(seconds, 1, terminal.errIsTerminal ? 1 : 30);
    auto stream = client.watch(tracker.path(true, seconds, rv), seconds);
    bool relist = false;
    while (auto event = stream->next()) {
      if (!tracker.apply(event, rv)) {
        relist = true;
        break;
      }
      progress.update(tracker.entries());
      if (tracker.allDone()) {
        progress.finish();
        return tracker.refs();
      }
      if (Clock::now() >= deadline) break;
    }
    if (relist) rv = tracker.relist();
    progress.update(tracker.entries());
    if (tracker.allDone()) {
      progress.finish();
      return tracker.refs();
    }
  }
}

}  // namespace maasprov::cli
