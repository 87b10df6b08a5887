// maasprov version: the CLI's version (the project version, PROJECT_VERSION in CMake).
#include <ostream>

#include "framework/cli/cli_error.hpp"
#include "framework/cli/command.hpp"

namespace maasprov::cli {

Command versionCommand() {
  Command c;
  c.name = "version";
  c.usage = "version";
  c.summary = "print the CLI's version";
  c.run = [](const Invocation& inv, Terminal& term) {
    if (!inv.args.empty()) throw usageError("version: unexpected argument '" + inv.args[0] + "'");
    term.out << "maasprov " << MAASPROV_VERSION << '\n';
    return kExitOk;
  };
  return c;
}

}  // namespace maasprov::cli
