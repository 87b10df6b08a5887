// The shape every `maasprov` command shares: its name, usage line, options (Poco::Util) and a
// run function; the parsed invocation it receives; and the terminal it prints to.
//
// main.cpp picks the command by its first non-option argument, parses the rest with
// Poco::Util::OptionProcessor against the global options plus the command's own, and calls
// run(). Commands print results on `out`, progress on `err`, and throw CliError for failures.
//
// Ownership: Invocation and Terminal are plain values borrowed by the command for the call.
// Thread-safety: a command runs on the main thread only.
#pragma once

#include <Poco/Util/OptionSet.h>

#include <chrono>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "framework/cli/client_config.hpp"

namespace maasprov::cli {

class ApiClient;

struct Terminal {
  std::ostream& out;
  std::ostream& err;
  std::istream& in;
  bool errIsTerminal = false;  // progress redraws in place only on a terminal
};

struct Invocation {
  std::vector<std::string> args;                            // positional arguments
  std::map<std::string, std::vector<std::string>> options;  // by full name, in order given
  EnvLookup env;

  bool has(const std::string& name) const { return options.count(name) != 0; }
  // The last value given for `name`, or `fallback`.
  std::string value(const std::string& name, const std::string& fallback = {}) const;
  std::vector<std::string> values(const std::string& name) const;

  // The namespace from -n/--namespace, or "default".
  std::string namespaceOr(const std::string& fallback = "default") const;
  // A client for the server and token resolved from flags, environment and config file.
  std::unique_ptr<ApiClient> client() const;
};

struct Command {
  std::string name;
  std::string usage;    // after "maasprov ": e.g. "get TYPE [NAME...] [flags]"
  std::string summary;  // one line for the command list
  std::string help;     // more lines for `maasprov CMD --help`
  std::function<void(Poco::Util::OptionSet&)> defineOptions;
  std::function<int(const Invocation&, Terminal&)> run;
};

// Options several commands share.
void addNamespaceOptions(Poco::Util::OptionSet& options, bool allNamespaces);
void addOutputOption(Poco::Util::OptionSet& options);
void addFileOption(Poco::Util::OptionSet& options);
void addSelectorOption(Poco::Util::OptionSet& options);
void addTimeoutOption(Poco::Util::OptionSet& options, const std::string& fallback);

// "30s", "5m", "1h", "90" (seconds); a usage CliError naming `flag` otherwise.
std::chrono::milliseconds parseTimeout(const std::string& flag, const std::string& text);

// Every command, in the order `maasprov --help` lists them.
const std::vector<Command>& commands();

// The commands, one per file.
Command applyCommand();
Command getCommand();
Command describeCommand();
Command deleteCommand();
Command waitCommand();
Command validateCommand();
Command pluginsCommand();
Command hostsCommand();
Command versionCommand();
Command completionCommand();

}  // namespace maasprov::cli
