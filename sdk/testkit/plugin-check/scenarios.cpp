#include "scenarios.hpp"

#include <Poco/JSON/Parser.h>

#include <set>
#include <sstream>
#include <thread>

#include "framework/plugin/plugin_library.hpp"

namespace maasprov::check {
namespace {

Outcome pass(std::string d) {
  return {Verdict::Pass, std::move(d)};
}
Outcome fail(std::string d) {
  return {Verdict::Fail, std::move(d)};
}
Outcome skip(std::string d) {
  return {Verdict::Skip, std::move(d)};
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out.empty() ? "(none)" : out;
}

// A call whose answer the host could not use (bad JSON, wrong shape, bad code) is never fine.
bool hostRejected(const plugin::CallOutcome& o) {
  return o.error && o.error->type == plugin::ErrorType::Internal &&
         (o.error->message.find("returned an invalid result") != std::string::npos ||
          o.error->message.find("returned unexpected code") != std::string::npos ||
          o.error->message.find("without an error type") != std::string::npos ||
          o.error->message.find("OK without a result document") != std::string::npos ||
          o.error->message.find("exception escape") != std::string::npos);
}

Outcome negotiation(const Settings& s) {
  auto lib = plugin::PluginLibrary::load(s.plugin);
  plugin::LoadOptions future;
  future.minVersion = 1000;
  future.maxVersion = 1001;
  try {
    auto again = plugin::PluginLibrary::load(s.plugin, future);
    return fail("accepted ABI range [1000, 1001] it cannot speak (answered version " +
                std::to_string(again->abiVersion()) + ")");
  } catch (const plugin::PluginLoadError& e) {
    if (e.reason().find("refused ABI version") == std::string::npos) {
      return fail("offered only ABI [1000, 1001], it did not refuse cleanly: " + e.reason());
    }
  }
  return pass("speaks ABI " + std::to_string(lib->abiVersion()) +
              "; refuses an unknown future range cleanly");
}

Outcome descriptor(const Settings& s) {
  auto lib = plugin::PluginLibrary::load(s.plugin);
  return pass("'" + lib->name() + "' " + lib->version() + ", " + plugin::kindName(lib->kind()) +
              ", modes: " + join(lib->modes()) +
              (lib->hasDescribe() ? ", has describe" : ", no describe"));
}

Outcome createDestroy(const Settings& s) {
  for (int i = 0; i < 3; ++i) {
    Harness h(s, Backend::Unreachable);
    auto d = h.instance().describe();
    if (!d.ok()) return fail("describe() failed: " + describeFailure(d));
  }
  // Two instances alive at once (a reload creates the new one before dropping the old).
  Harness a(s, Backend::Unreachable);
  Harness b(s, Backend::Unreachable);
  return pass("3 create/describe/destroy cycles and 2 concurrent instances");
}

Poco::JSON::Object::Ptr invalidObject(const Harness& h) {
  auto obj = h.freshObject("invalid");
  auto spec = obj->getObject("spec");
  if (h.isProvisioner()) {
    spec->set("minCPU", "many");
    spec->set("minMemory", -5);
    spec->set("image", 7);
    spec->set("tags", "not-a-list");
  } else {
    spec->set("dnsDomain", 5);
    spec->set("controlPlaneEndpoint", "not-an-object");
  }
  return obj;
}

Outcome reconcileInvalid(const Settings& s) {
  Harness h(s, s.haveMaas() ? Backend::Maas : Backend::Unreachable);
  auto obj = invalidObject(h);
  auto out = h.reconcile(obj);
  if (out.ok()) return fail("reconcile accepted an invalid spec (minCPU \"many\", ...)");
  if (out.error->type != plugin::ErrorType::InvalidSpec || out.error->retryable) {
    return fail("an invalid spec must be InvalidSpec and terminal, got " + describeFailure(out));
  }
  size_t writes = 0;
  for (const auto& e : h.events().snapshot()) writes += e.isWrite() ? 1 : 0;
  if (writes > 0)
    return fail("changed MAAS (" + std::to_string(writes) + " writes) for an invalid spec");
  for (const char* raw : {"not json", "[]", "{\"object\": 5}", "{}"}) {
    auto r = h.reconcileRaw(raw);
    if (r.ok()) return fail(std::string("reconcile accepted the request '") + raw + "'");
    if (hostRejected(r)) return fail(std::string("on request '") + raw + "': " + r.error->message);
  }
  return pass("InvalidSpec (terminal): " + out.error->message);
}

// Every way MAAS can fail: the plugin must answer cleanly, never terminally for a transport
// problem, and never claim a remove is done when it could not reach MAAS.
Outcome maasFailures(const Settings& s) {
  std::string notes;
  for (auto backend : {Backend::Unreachable, Backend::ServerError, Backend::Garbage}) {
    const char* what = backend == Backend::Unreachable   ? "unreachable MAAS"
                       : backend == Backend::ServerError ? "MAAS answering 500"
                                                         : "MAAS answering non-JSON";
    Harness h(s, backend);
    auto obj = h.freshObject("maasfail");
    auto r = h.reconcile(obj);
    if (hostRejected(r)) return fail(std::string(what) + ": " + r.error->message);
    if (r.error && !r.error->retryable) {
      return fail(std::string(what) + ": reported as terminal: " + describeFailure(r));
    }
    auto events = h.events().snapshot();
    bool calledMaas = false;
    for (const auto& e : events) calledMaas = calledMaas || e.kind == Event::Kind::MaasRequest;
    auto rm = h.remove(obj);
    if (hostRejected(rm)) return fail(std::string(what) + ": remove: " + rm.error->message);
    bool removeCalled = rm.maasCalls.size() > 0;
    bool anySucceeded = false;
    for (const auto& c : rm.maasCalls)
      anySucceeded = anySucceeded || (c.status >= 200 && c.status < 300);
    if (rm.ok() && rm.done && removeCalled && !anySucceeded && backend != Backend::Garbage) {
      return fail(std::string(what) + ": remove reported done although every MAAS call failed");
    }
    notes = std::string(calledMaas ? "calls MAAS" : "no MAAS calls") +
            "; reconcile: " + (r.ok() ? "ok" : plugin::errorTypeName(r.error->type));
  }
  return pass("unreachable / 500 / non-JSON MAAS handled (" + notes + ")");
}

Outcome reconcileValid(const Settings& s) {
  Harness h(s, Backend::Maas);
  auto obj = h.freshObject("valid");
  plugin::CallOutcome last;
  int round = 0;
  for (; round < s.rounds; ++round) {
    last = h.reconcile(obj);
    if (hostRejected(last)) return fail(last.error->message);
    if (last.error && !last.error->retryable) break;
    if (last.ok() && last.status && last.status->size() > 0 && !last.requeueAfter) break;
    Harness::pause(last);
  }
  auto cleanup = h.removeUntilDone(obj);
  if (last.error) return fail("valid object not reconciled: " + describeFailure(last));
  if (!last.status || last.status->size() == 0) return fail("reconcile set no status at all");
  if (cleanup) return fail("cleanup: " + *cleanup);
  std::ostringstream st;
  last.status->stringify(st);
  std::string text = st.str().substr(0, 160);
  return pass("after " + std::to_string(round + 1) + " round(s): " + text);
}

Outcome idempotence(const Settings& s) {
  Harness h(s, Backend::Maas);
  auto obj = h.freshObject("idem");
  for (int round = 0; round < std::max(3, s.rounds / 2); ++round) {
    // Round 2 loses everything the host had recorded, as after a crash before the status write.
    auto feedback = round == 1 ? Harness::Feedback::None : Harness::Feedback::All;
    auto out = h.reconcile(obj, feedback);
    if (hostRejected(out)) return fail(out.error->message);
    if (out.error && !out.error->retryable)
      return fail("round " + std::to_string(round + 1) + ": " + describeFailure(out));
    Harness::pause(out);
  }
  // Count machines, not requests: composing VM X and then allocating X by system_id (as an LXD
  // plugin must) is one acquisition; a second compose or an allocate of another machine is not.
  std::set<std::string> machines;
  size_t unnamed = 0;  // successful acquisitions whose answer named no machine
  std::string trail;
  for (const auto& e : h.events().snapshot()) {
    if (!e.isAcquisition() || !e.succeeded()) continue;  // a refused one took nothing
    const std::string& id = e.acquiredSystemId();
    if (id.empty())
      ++unnamed;
    else
      machines.insert(id);
    trail += (trail.empty() ? "" : ", ") + e.op + " " + (id.empty() ? "(no system_id)" : id);
  }
  const size_t acquisitions = machines.size() + unnamed;
  auto cleanup = h.removeUntilDone(obj);
  if (acquisitions > 1) {
    return fail(
        "one object acquired " + std::to_string(acquisitions) +
        " MAAS machines over repeated reconciles (one lost status write included): " + trail);
  }
  if (cleanup) return fail("cleanup: " + *cleanup);
  return pass(std::to_string(acquisitions) +
              " allocate/compose-acquired machine for one object over repeated reconciles (" +
              (trail.empty() ? std::string("none") : trail) + ")");
}

Outcome removeAfterPartial(const Settings& s) {
  Harness h(s, Backend::Maas);
  auto never = h.freshObject("never");
  if (auto why = h.removeUntilDone(never)) return fail("never-created object: " + *why);
  auto obj = h.freshObject("partial");
  auto out = h.reconcile(obj, Harness::Feedback::CheckpointsOnly);  // crash after checkpoints
  if (hostRejected(out)) return fail(out.error->message);
  if (auto why = h.removeUntilDone(obj)) return fail("after one partial reconcile: " + *why);
  return pass("never-created and partially created objects removed");
}

Outcome checkpointFailure(const Settings& s) {
  Harness h(s, Backend::Maas);
  auto obj = h.freshObject("ckpt");
  auto out = h.reconcile(obj, Harness::Feedback::All, /*failCheckpoints=*/true);
  auto events = h.events().snapshot();
  bool refused = false;
  size_t writesAfter = 0;
  for (const auto& e : events) {
    if (e.kind == Event::Kind::CheckpointRefused)
      refused = true;
    else if (refused && e.isWrite())
      ++writesAfter;
  }
  auto cleanup = h.removeUntilDone(obj);
  if (!refused) {
    if (cleanup) return fail("cleanup: " + *cleanup);
    return skip("the plugin made no checkpoint in its first reconcile (it answered: " +
                describeFailure(out) + "); nothing to refuse");
  }
  if (out.ok()) return fail("reported success although its checkpoint was refused");
  if (!out.error->retryable)
    return fail("a refused checkpoint was reported as terminal: " + describeFailure(out));
  if (writesAfter > 0) {
    return fail("changed MAAS " + std::to_string(writesAfter) +
                " time(s) after a refused checkpoint");
  }
  if (cleanup)
    return fail("leak: what was acquired before the refused checkpoint was not released: " +
                *cleanup);
  return pass("stopped at the refused checkpoint and cleaned up afterwards");
}

Outcome concurrency(const Settings& s) {
  Harness h(s, s.haveMaas() ? Backend::Maas : Backend::Unreachable);
  constexpr int kThreads = 4;
  std::vector<Poco::JSON::Object::Ptr> objects;
  for (int i = 0; i < kThreads; ++i) objects.push_back(h.freshObject("conc"));
  std::vector<std::string> problems(kThreads);
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        for (int round = 0; round < 2; ++round) {
          auto out = h.reconcile(objects[i]);
          if (hostRejected(out) || out.timedOut) problems[i] = out.error->message;
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  for (const auto& p : problems) {
    if (!p.empty()) return fail("concurrent reconciles: " + p);
  }
  if (s.haveMaas()) {
    for (const auto& obj : objects) {
      if (auto why = h.removeUntilDone(obj)) return fail("cleanup: " + *why);
    }
  }
  return pass(std::to_string(kThreads) + " objects reconciled concurrently on one instance" +
              (s.haveMaas() ? "" : " (against an unreachable MAAS)"));
}

Outcome exceptionSafety(const Settings& s) {
  std::string notes;
  for (const char* config : {"not json", "[1, 2]", "{\"unknownKey\": {\"deep\": [null]}}"}) {
    Settings bad = s;
    bad.config = config;
    try {
      Harness h(bad, Backend::Unreachable);
      notes += std::string(notes.empty() ? "" : ", ") + "accepted config '" + config + "'";
    } catch (const plugin::PluginLoadError&) {
      // refusing a bad configuration cleanly is the expected answer
    }
  }
  Harness h(s, Backend::Unreachable);
  auto obj = h.freshObject("hostile");
  obj->getObject("metadata")->set("annotations", Poco::makeShared<Poco::JSON::Object>());
  obj->getObject("metadata")->getObject("annotations")->set("big", std::string(1 << 20, 'x'));
  obj->getObject("spec")->set("unexpected", Poco::makeShared<Poco::JSON::Array>());
  auto r = h.reconcile(obj, Harness::Feedback::All, /*failCheckpoints=*/true);
  if (hostRejected(r)) return fail("large/unknown fields: " + r.error->message);
  auto d = h.instance().describe();
  if (!d.ok()) return fail("describe() after hostile input: " + describeFailure(d));
  return pass("bad configs, unknown fields, 1 MiB annotation, refused checkpoints: no crash" +
              (notes.empty() ? std::string() : " (" + notes + ")"));
}

}  // namespace

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> all = {
      {"negotiation", "", negotiation},
      {"descriptor", "", descriptor},
      {"create-destroy", "", createDestroy},
      {"reconcile-invalid", "", reconcileInvalid},
      {"maas-failures", "", maasFailures},
      {"exception-safety", "", exceptionSafety},
      {"concurrency", "maas-if-given", concurrency},
      {"reconcile-valid", "maas", reconcileValid},
      {"idempotence", "maas", idempotence},
      {"remove-after-partial", "maas", removeAfterPartial},
      {"checkpoint-failure", "maas", checkpointFailure},
  };
  return all;
}

}  // namespace maasprov::check
