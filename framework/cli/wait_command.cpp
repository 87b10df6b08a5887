// maasprov wait TYPE [NAME...] --for=condition=Ready: blocks until the objects meet the
// condition (or are deleted with --for=delete), showing progress; exits 5 on timeout naming
// what is still pending.
#include <ostream>

#include "framework/cli/api_client.hpp"
#include "framework/cli/cli_error.hpp"
#include "framework/cli/command.hpp"
#include "framework/cli/resources.hpp"
#include "framework/cli/waiter.hpp"

namespace maasprov::cli {

Command waitCommand() {
  Command c;
  c.name = "wait";
  c.usage =
      "wait maasmachines|maasclusters [NAME...] [-n NS | -A] [-l SELECTOR] "
      "--for=condition=Ready|delete [--timeout D]";
  c.summary = "wait until objects meet a condition (or are deleted)";
  c.help =
      "Without names, waits for every object of the type in the namespace (matching -l). On a\n"
      "terminal the progress line is redrawn in place; otherwise one line per change. Exits 5\n"
      "on timeout, naming each object still pending and its phase.";
  c.defineOptions = [](Poco::Util::OptionSet& options) {
    addNamespaceOptions(options, true);
    addSelectorOption(options);
    options.addOption(Poco::Util::Option("for", "", "condition=TYPE[=STATUS] or delete")
                          .repeatable(true)
                          .argument("GOAL"));
    addTimeoutOption(options, "5m");
  };
  c.run = [](const Invocation& inv, Terminal& term) {
    if (inv.args.empty()) throw usageError("wait: name a type: maasmachines or maasclusters");
    if (!inv.has("for"))
      throw usageError("wait: --for=condition=Ready (or --for=delete) is required");
    WaitSpec spec;
    spec.type = &resourceByName(inv.args[0]);
    parseWaitFor(inv.value("for"), spec);
    if (!spec.forDeletion && spec.type->kind == "Secret") {
      throw usageError("wait: secrets have no conditions (use --for=delete)");
    }
    spec.timeoutText = inv.value("timeout", "5m");
    spec.timeout = parseTimeout("--timeout", spec.timeoutText);
    spec.names.assign(inv.args.begin() + 1, inv.args.end());
    if (inv.has("all-namespaces") && !spec.names.empty()) {
      throw usageError("-A cannot be combined with object names");
    }
    spec.ns = inv.has("all-namespaces") ? "" : inv.namespaceOr();
    spec.selector = inv.value("selector");
    auto client = inv.client();
    const std::string met = spec.forDeletion ? " deleted" : " condition met";
    for (const auto& ref : waitFor(*client, spec, term)) term.out << ref << met << '\n';
    return kExitOk;
  };
  return c;
}

}  // namespace maasprov::cli
