// maasprov: the command-line client of maasprovd (docs/cli.md). Picks the command, parses its
// options with Poco::Util, runs it and turns every CliError into one line on stderr and the
// documented exit code.
#include <Poco/Exception.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionProcessor.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <set>
#include <sstream>

#include "framework/cli/cli_error.hpp"
#include "framework/cli/command.hpp"

namespace {

using maasprov::cli::CliError;
using maasprov::cli::Command;

void addGlobalOptions(Poco::Util::OptionSet& options) {
  using Poco::Util::Option;
  options.addOption(Option("server", "", "maasprovd URL (default http://127.0.0.1:5241)")
                        .repeatable(true)
                        .argument("URL"));
  options.addOption(
      Option("token", "", "API bearer token (visible to other local users: prefer --token-file)")
          .repeatable(true)
          .argument("TOKEN"));
  options.addOption(Option("token-file", "", "file holding the API bearer token")
                        .repeatable(true)
                        .argument("FILE"));
  options.addOption(
      Option("namespace", "n", "namespace (default: default)").repeatable(true).argument("NS"));
  options.addOption(Option("help", "h", "show help for the command"));
}

// Global options that take a value as the next argument, so the command word can be found
// before the command's own options are known.
bool takesNextArgument(const std::string& arg) {
  static const std::set<std::string> withValue = {"--server", "--token", "--token-file",
                                                  "--namespace", "-n"};
  return withValue.count(arg) != 0;
}

// Poco's HelpFormatter lays out the flags; its usage line is ours, so it is left out.
void formatOptions(std::ostream& out, const Poco::Util::OptionSet& options) {
  std::ostringstream text;
  Poco::Util::HelpFormatter help(options);
  help.setUnixStyle(true);
  help.setWidth(100);
  help.format(text);
  std::string body = text.str();
  if (body.rfind("usage:", 0) == 0) body.erase(0, body.find('\n') + 1);
  out << body;
  if (body.empty() || body.back() != '\n') out << '\n';
}

void printGeneralHelp(std::ostream& out) {
  out << "maasprov: operate maasprovd, the MAAS provisioning controller\n\n"
         "Usage: maasprov COMMAND [ARGS] [flags]\n\nCommands:\n";
  for (const auto& c : maasprov::cli::commands()) {
    std::string name = c.name;
    name.resize(12, ' ');
    out << "  " << name << c.summary << '\n';
  }
  out << "\nGlobal flags:\n";
  Poco::Util::OptionSet options;
  addGlobalOptions(options);
  formatOptions(out, options);
  out << "\nRun 'maasprov COMMAND --help' for a command's flags. Reference: docs/cli.md\n";
}

void printCommandHelp(std::ostream& out, const Command& command,
                      const Poco::Util::OptionSet& options) {
  out << "Usage: maasprov " << command.usage << "\n\n" << command.summary << "\n";
  if (!command.help.empty()) out << "\n" << command.help << "\n";
  out << "\nFlags:\n";
  formatOptions(out, options);
}

int run(const std::vector<std::string>& argv) {
  std::size_t commandAt = argv.size();
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == "--") break;
    if (takesNextArgument(argv[i])) {
      ++i;
      continue;
    }
    if (argv[i].empty() || argv[i][0] != '-') {
      commandAt = i;
      break;
    }
  }
  if (commandAt == argv.size() || argv[commandAt] == "help") {
    bool askedForHelp = commandAt != argv.size() ||
                        std::find(argv.begin(), argv.end(), "--help") != argv.end() ||
                        std::find(argv.begin(), argv.end(), "-h") != argv.end();
    if (commandAt != argv.size() && commandAt + 1 < argv.size()) {
      // "maasprov help get" is "maasprov get --help".
      std::vector<std::string> again = {argv[commandAt + 1], "--help"};
      return run(again);
    }
    printGeneralHelp(askedForHelp ? std::cout : std::cerr);
    return askedForHelp ? maasprov::cli::kExitOk : maasprov::cli::kExitUsage;
  }
  const std::string name = argv[commandAt];
  const Command* command = nullptr;
  for (const auto& c : maasprov::cli::commands()) {
    if (c.name == name) command = &c;
  }
  if (command == nullptr) {
    throw maasprov::cli::usageError("unknown command '" + name +
                                    "' (run 'maasprov --help' for the list)");
  }

  Poco::Util::OptionSet options;
  addGlobalOptions(options);
  if (command->defineOptions) command->defineOptions(options);

  maasprov::cli::Invocation inv;
  inv.env = maasprov::cli::processEnvironment;
  try {
    Poco::Util::OptionProcessor processor(options);
    processor.setUnixStyle(true);
    for (std::size_t i = 0; i < argv.size(); ++i) {
      if (i == commandAt) continue;
      std::string optionName, optionValue;
      if (processor.process(argv[i], optionName, optionValue)) {
        if (!optionName.empty()) inv.options[optionName].push_back(optionValue);
      } else {
        inv.args.push_back(argv[i]);
      }
    }
    processor.checkRequired();
  } catch (const Poco::Util::OptionException& e) {
    throw maasprov::cli::usageError(name + ": " + e.displayText() + " (see 'maasprov " + name +
                                    " --help')");
  }
  if (inv.has("help")) {
    printCommandHelp(std::cout, *command, options);
    return maasprov::cli::kExitOk;
  }
  maasprov::cli::Terminal terminal{std::cout, std::cerr, std::cin, isatty(STDERR_FILENO) == 1};
  return command->run(inv, terminal);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    int rc = run(args);
    std::cout.flush();
    return rc;
  } catch (const CliError& e) {
    std::cout.flush();
    std::cerr << "error: " << e.what() << std::endl;
    return e.exitCode();
  } catch (const Poco::Exception& e) {
    std::cout.flush();
    std::cerr << "error: " << e.displayText() << std::endl;
    return maasprov::cli::kExitFailed;
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "error: " << e.what() << std::endl;
    return maasprov::cli::kExitFailed;
  }
}
