// maasprov apply -f FILE|DIR|-: creates or updates every object of the manifests through the
// API's apply (PATCH), printing `maasmachine/cp-0 created|configured|unchanged` for each.
// Manifests are decoded and validated first, so an invalid one changes nothing at all.
#include <ostream>

#include "framework/cli/api_client.hpp"
#include "framework/cli/cli_error.hpp"
#include "framework/cli/command.hpp"
#include "framework/cli/manifests.hpp"
#include "framework/cli/printers.hpp"
#include "framework/cli/resources.hpp"
#include "framework/model/defaults.hpp"
#include "framework/model/encode.hpp"
#include "framework/model/validation.hpp"

namespace maasprov::cli {

Command applyCommand() {
  Command c;
  c.name = "apply";
  c.usage = "apply -f FILE|DIR|- [-f ...] [-n NS]";
  c.summary = "create or update objects from YAML or JSON manifests";
  c.help =
      "Objects without metadata.namespace go to -n (default: default). Every manifest is\n"
      "checked before anything is sent; an invalid one is reported with its field path and\n"
      "nothing is applied.";
  c.defineOptions = [](Poco::Util::OptionSet& options) { addFileOption(options); };
  c.run = [](const Invocation& inv, Terminal& term) {
    if (!inv.args.empty()) throw usageError("apply: unexpected argument '" + inv.args[0] + "'");
    auto manifests = readManifests(inv.values("filename"), term.in, term.err);
    resolveNamespaces(manifests, inv.namespaceOr(), inv.has("namespace"));
    for (const auto& m : manifests) {
      model::Object object = m.object;
      model::applyDefaults(object);
      auto errors = model::validate(object);
      if (!errors.empty()) {
        throw CliError(kExitFailed, m.source + ": " + objectRef(object) + ": " +
                                        model::joinErrors(errors, "; "));
      }
    }
    if (manifests.empty()) throw CliError(kExitFailed, "the manifests hold no objects");
    auto client = inv.client();
    int failures = 0;
    for (const auto& m : manifests) {
      const auto& type = resourceByKind(model::kindOf(m.object));
      const auto& meta = model::metadataOf(m.object);
      try {
        auto r = client->send("PATCH", type.objectPath(meta.namespace_, meta.name),
                              model::toJsonText(m.object, 0), "application/json");
        term.out << objectRef(m.object) << " "
                 << (r.applyResult.empty() ? std::string("configured") : r.applyResult)
                 << std::endl;
      } catch (const CliError& e) {
        if (e.exitCode() != kExitFailed) throw;  // unreachable, auth: nothing else will work
        if (manifests.size() == 1)
          throw CliError(kExitFailed, objectRef(m.object) + ": " + e.what());
        term.err << "error: " << objectRef(m.object) << ": " << e.what() << std::endl;
        ++failures;
      }
    }
    if (failures > 0) {
      throw CliError(kExitFailed, std::to_string(failures) + " of " +
                                      std::to_string(manifests.size()) +
                                      " objects could not be applied");
    }
    return kExitOk;
  };
  return c;
}

}  // namespace maasprov::cli
