// maasprov completion bash: prints the bash completion script, the same file the packages
// install (packaging/completion/maasprov.bash, embedded at build time).
#include <ostream>

#include "framework/cli/cli_error.hpp"
#include "framework/cli/command.hpp"
#include "framework/cli/completion_script.hpp"

namespace maasprov::cli {

Command completionCommand() {
  Command c;
  c.name = "completion";
  c.usage = "completion bash";
  c.summary = "print the bash completion script (source <(maasprov completion bash))";
  c.run = [](const Invocation& inv, Terminal& term) {
    if (inv.args.size() != 1 || inv.args[0] != "bash") {
      throw usageError("completion: only 'bash' is supported: maasprov completion bash");
    }
    term.out << kBashCompletionScript;
    return kExitOk;
  };
  return c;
}

}  // namespace maasprov::cli
