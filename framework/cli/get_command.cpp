// maasprov get TYPE [NAME...]: lists or reads objects and prints them as a table (default),
// a wide table, JSON or YAML.
#include <ostream>

#include "framework/cli/api_client.hpp"
#include "framework/cli/cli_error.hpp"
#include "framework/cli/command.hpp"
#include "framework/cli/object_query.hpp"
#include "framework/cli/printers.hpp"
#include "framework/cli/resources.hpp"

namespace maasprov::cli {

Command getCommand() {
  Command c;
  c.name = "get";
  c.usage =
      "get maasmachines|maasclusters|secrets [NAME...] [-n NS | -A] [-l SELECTOR] [-o FORMAT]";
  c.summary = "list objects: table, wide, json or yaml";
  c.help =
      "Types: maasmachines (mm), maasclusters (mc), secrets; singular and kind names work too.\n"
      "Machine columns: NAME CLUSTER MODE PHASE HOST ZONE AGE; -o wide adds SYSTEM-ID STATE\n"
      "ADDRESS VM-HOST CPU MEMORY. Secret values are never shown (the server redacts them).";
  c.defineOptions = [](Poco::Util::OptionSet& options) {
    addNamespaceOptions(options, true);
    addSelectorOption(options);
    addOutputOption(options);
  };
  c.run = [](const Invocation& inv, Terminal& term) {
    if (inv.args.empty())
      throw usageError("get: name a type: maasmachines, maasclusters or secrets");
    const auto& type = resourceByName(inv.args[0]);
    const auto format = parseOutputFormat(inv.value("output"));
    auto client = inv.client();
    int missing = 0;
    auto objects = fetchObjects(inv, term, type, *client, missing);
    const bool single = inv.args.size() == 2;
    if (objects.empty() && (format == OutputFormat::Table || format == OutputFormat::Wide)) {
      if (missing == 0) {
        term.err << "No " << type.plural << " found"
                 << (inv.has("all-namespaces") ? std::string()
                                               : " in namespace " + inv.namespaceOr())
                 << "." << std::endl;
      }
    } else if (!(single && objects.empty())) {
      printObjects(term.out, objects, type, format, inv.has("all-namespaces"), single);
    }
    if (missing > 0) {
      throw CliError(kExitFailed, std::to_string(missing) + " of " +
                                      std::to_string(inv.args.size() - 1) + " " + type.plural +
                                      " not found");
    }
    return kExitOk;
  };
  return c;
}

}  // namespace maasprov::cli
