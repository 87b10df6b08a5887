// maasprov validate -f FILE|DIR|-: checks manifests offline with the resource model (decode,
// defaults, validation): the same messages maasprovd would answer, without a server.
#include <ostream>

#include "framework/cli/cli_error.hpp"
#include "framework/cli/command.hpp"
#include "framework/cli/manifests.hpp"
#include "framework/cli/printers.hpp"
#include "framework/model/defaults.hpp"
#include "framework/model/validation.hpp"

namespace maasprov::cli {

Command validateCommand() {
  Command c;
  c.name = "validate";
  c.usage = "validate -f FILE|DIR|- [-f ...]";
  c.summary = "check manifests offline, with the exact messages maasprovd would give";
  c.help =
      "Decodes, defaults and validates every object without contacting maasprovd. Each problem\n"
      "is printed as FILE: KIND/NAME: PATH: MESSAGE; the exit status is 1 when any is found.";
  c.defineOptions = [](Poco::Util::OptionSet& options) { addFileOption(options); };
  c.run = [](const Invocation& inv, Terminal& term) {
    if (!inv.args.empty()) throw usageError("validate: unexpected argument '" + inv.args[0] + "'");
    auto manifests = readManifests(inv.values("filename"), term.in, term.err);
    std::size_t problems = 0, invalid = 0;
    for (auto& m : manifests) {
      model::Object object = m.object;
      model::applyDefaults(object);
      auto errors = model::validate(object);
      if (errors.empty()) {
        term.out << m.source << ": " << objectRef(object) << " valid\n";
        continue;
      }
      ++invalid;
      for (const auto& e : errors) {
        ++problems;
        term.err << m.source << ": " << objectRef(object) << ": " << e.str() << '\n';
      }
    }
    if (problems > 0) {
      throw CliError(kExitFailed, std::to_string(problems) + " problem" +
                                      (problems == 1 ? "" : "s") + " in " +
                                      std::to_string(invalid) + " of " +
                                      std::to_string(manifests.size()) + " objects");
    }
    return kExitOk;
  };
  return c;
}

}  // namespace maasprov::cli
