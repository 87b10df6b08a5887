#include "framework/cli/command.hpp"

#include <Poco/NumberParser.h>
#include <Poco/Util/Option.h>

#include <cmath>

#include "framework/cli/api_client.hpp"
#include "framework/cli/cli_error.hpp"

namespace maasprov::cli {

std::string Invocation::value(const std::string& name, const std::string& fallback) const {
  auto it = options.find(name);
  return it == options.end() || it->second.empty() ? fallback : it->second.back();
}

std::vector<std::string> Invocation::values(const std::string& name) const {
  auto it = options.find(name);
  return it == options.end() ? std::vector<std::string>{} : it->second;
}

std::string Invocation::namespaceOr(const std::string& fallback) const {
  return value("namespace", fallback);
}

std::unique_ptr<ApiClient> Invocation::client() const {
  ClientFlags flags;
  if (has("server")) flags.server = value("server");
  if (has("token")) flags.token = value("token");
  if (has("token-file")) flags.tokenFile = value("token-file");
  return std::make_unique<ApiClient>(resolveClientConfig(flags, env));
}

void addNamespaceOptions(Poco::Util::OptionSet& options, bool allNamespaces) {
  if (allNamespaces) {
    options.addOption(Poco::Util::Option("all-namespaces", "A", "across all namespaces")
                          .required(false)
                          .repeatable(false));
  }
}

void addOutputOption(Poco::Util::OptionSet& options) {
  options.addOption(
      Poco::Util::Option("output", "o", "output format: table (default), wide, json, yaml")
          .required(false)
          .repeatable(true)
          .argument("FORMAT"));
}

void addFileOption(Poco::Util::OptionSet& options) {
  options.addOption(
      Poco::Util::Option("filename", "f",
                         "manifest file, directory (*.yaml, *.yml, *.json) or - for standard "
                         "input; repeatable")
          .required(false)
          .repeatable(true)
          .argument("FILE"));
}

void addSelectorOption(Poco::Util::OptionSet& options) {
  options.addOption(
      Poco::Util::Option("selector", "l", "label selector, e.g. cluster.x-k8s.io/cluster-name=demo")
          .required(false)
          .repeatable(true)
          .argument("SELECTOR"));
}

void addTimeoutOption(Poco::Util::OptionSet& options, const std::string& fallback) {
  options.addOption(
      Poco::Util::Option("timeout", "", "how long to wait, e.g. 90s, 5m (default " + fallback + ")")
          .required(false)
          .repeatable(true)
          .argument("DURATION"));
}

std::chrono::milliseconds parseTimeout(const std::string& flag, const std::string& text) {
  static const std::pair<const char*, double> units[] = {
      {"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}};
  double number = 0;
  double scale = 1;
  std::string digits = text;
  for (const auto& [suffix, factor] : units) {
    std::string s(suffix);
    if (text.size() > s.size() && text.compare(text.size() - s.size(), s.size(), s) == 0 &&
        std::isdigit(static_cast<unsigned char>(text[text.size() - s.size() - 1]))) {
      digits = text.substr(0, text.size() - s.size());
      scale = factor;
      break;
    }
  }
  if (!Poco::NumberParser::tryParseFloat(digits, number) || !std::isfinite(number) || number <= 0) {
    throw usageError(flag + ": expected a positive duration such as 30s, 5m or 1h, got '" + text +
                     "'");
  }
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(number * scale * 1000)));
}

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      applyCommand(),    getCommand(),     describeCommand(), deleteCommand(),  waitCommand(),
      validateCommand(), pluginsCommand(), hostsCommand(),    versionCommand(), completionCommand(),
  };
  return all;
}

}  // namespace maasprov::cli
