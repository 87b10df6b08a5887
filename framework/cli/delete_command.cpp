// maasprov delete TYPE NAME... | -f FILE: deletes objects. An object with finalizers is only
// marked (the controller releases its MAAS machine first); --wait follows it until it is gone.
#include <Poco/JSON/Parser.h>

#include <ostream>

#include "framework/cli/api_client.hpp"
#include "framework/cli/cli_error.hpp"
#include "framework/cli/command.hpp"
#include "framework/cli/manifests.hpp"
#include "framework/cli/printers.hpp"
#include "framework/cli/resources.hpp"
#include "framework/cli/waiter.hpp"

namespace maasprov::cli {
namespace {

struct Target {
  const ResourceType* type;
  std::string ns;
  std::string name;
  std::string ref() const { return type->singular + "/" + name; }
};

std::vector<Target> targetsOf(const Invocation& inv, Terminal& term, ApiClient& client) {
  std::vector<Target> targets;
  const std::string ns = inv.namespaceOr();
  if (inv.has("filename")) {
    if (!inv.args.empty()) throw usageError("delete: give either -f or TYPE NAME..., not both");
    auto manifests = readManifests(inv.values("filename"), term.in, term.err);
    resolveNamespaces(manifests, ns, inv.has("namespace"));
    for (const auto& m : manifests) {
      const auto& meta = model::metadataOf(m.object);
      targets.push_back({&resourceByKind(model::kindOf(m.object)), meta.namespace_, meta.name});
    }
    return targets;
  }
  if (inv.args.empty()) throw usageError("delete: give TYPE NAME... or -f FILE");
  const auto& type = resourceByName(inv.args[0]);
  if (inv.has("selector")) {
    if (inv.args.size() > 1) throw usageError("-l cannot be combined with object names");
    auto list =
        client.getJson(type.listPath(ns) + "?labelSelector=" + queryEscape(inv.value("selector")));
    for (const auto& o : decodeServerList(list)) {
      targets.push_back({&type, ns, model::metadataOf(o).name});
    }
    return targets;
  }
  if (inv.args.size() < 2) throw usageError("delete: name the objects to delete (or use -l)");
  for (std::size_t i = 1; i < inv.args.size(); ++i) targets.push_back({&type, ns, inv.args[i]});
  return targets;
}

}  // namespace

Command deleteCommand() {
  Command c;
  c.name = "delete";
  c.usage =
      "delete maasmachines|maasclusters|secrets NAME... | -l SELECTOR | -f FILE [--wait] "
      "[--timeout D]";
  c.summary = "delete objects (--wait: until the controller has released them)";
  c.help =
      "Machines keep a finalizer until their plugin has released the MAAS machine or VM; delete\n"
      "marks them and returns, --wait follows them until they are gone (progress on stderr).";
  c.defineOptions = [](Poco::Util::OptionSet& options) {
    addFileOption(options);
    addSelectorOption(options);
    options.addOption(Poco::Util::Option("wait", "", "wait until the objects are gone"));
    options.addOption(
        Poco::Util::Option("ignore-not-found", "", "do not fail for objects that do not exist"));
    addTimeoutOption(options, "5m");
  };
  c.run = [](const Invocation& inv, Terminal& term) {
    const auto timeout = parseTimeout("--timeout", inv.value("timeout", "5m"));
    auto client = inv.client();
    auto targets = targetsOf(inv, term, *client);
    if (targets.empty()) {
      term.err << "No objects to delete." << std::endl;
      return kExitOk;
    }
    int missing = 0;
    std::vector<Target> pending;
    for (const auto& t : targets) {
      auto r = client->sendAllowMissing("DELETE", t.type->objectPath(t.ns, t.name));
      if (r.status == 404) {
        if (!inv.has("ignore-not-found")) {
          term.err << "error: " << t.type->kind << " " << t.ns << "/" << t.name << " not found"
                   << std::endl;
          ++missing;
        }
        continue;
      }
      if (r.status == 202) {
        pending.push_back(t);
        if (!inv.has("wait")) term.out << t.ref() << " marked for deletion" << std::endl;
      } else {
        term.out << t.ref() << " deleted" << std::endl;
      }
    }
    if (inv.has("wait") && !pending.empty()) {
      // One wait per type and namespace, all sharing the one deadline.
      const auto deadline = std::chrono::steady_clock::now() + timeout;
      std::map<std::pair<const ResourceType*, std::string>, std::vector<std::string>> groups;
      for (const auto& t : pending) groups[{t.type, t.ns}].push_back(t.name);
      for (const auto& [group, names] : groups) {
        WaitSpec spec;
        spec.type = group.first;
        spec.ns = group.second;
        spec.names = names;
        spec.forDeletion = true;
        spec.timeoutText = inv.value("timeout", "5m");
        spec.timeout = std::max(std::chrono::milliseconds(1),
                                std::chrono::duration_cast<std::chrono::milliseconds>(
                                    deadline - std::chrono::steady_clock::now()));
        for (const auto& ref : waitFor(*client, spec, term)) term.out << ref << " deleted\n";
      }
    }
    if (missing > 0) {
      throw CliError(kExitFailed, std::to_string(missing) + " of " +
                                      std::to_string(targets.size()) + " objects not found");
    }
    return kExitOk;
  };
  return c;
}

}  // namespace maasprov::cli
