// maasprov-plugin-check: loads a plugin as maasprovd does and runs the conformance suite, each
// scenario in its own child process. One line per scenario, a summary, exit status 0 only when
// nothing failed. Without --maas-url the scenarios that need a MAAS are reported as skipped.
#include <Poco/JSON/Parser.h>
#include <Poco/Util/Application.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/IntValidator.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "framework/plugin/plugin_error.hpp"
#include "scenarios.hpp"

namespace {

using maasprov::check::Outcome;
using maasprov::check::Settings;
using maasprov::check::Verdict;
using Poco::Util::Option;

const char* kSampleMachine = R"({
  "apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1", "kind": "MaasMachine",
  "metadata": {"name": "check", "namespace": "maasprov-check",
               "labels": {"cluster.x-k8s.io/cluster-name": "check",
                          "cluster.x-k8s.io/control-plane": ""}},
  "spec": {"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy"},
  "status": {}})";

const char* kSampleCluster = R"({
  "apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1", "kind": "MaasCluster",
  "metadata": {"name": "check", "namespace": "maasprov-check", "uid": "check-cluster"},
  "spec": {"dnsDomain": "maas.test"},
  "status": {}})";

Poco::JSON::Object::Ptr parseObject(const std::string& text, const std::string& what) {
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(text);
    if (v.type() != typeid(Poco::JSON::Object::Ptr)) throw std::runtime_error("not a JSON object");
    return v.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    throw std::runtime_error(what + ": invalid JSON: " + e.displayText());
  } catch (const std::exception& e) {
    throw std::runtime_error(what + ": " + e.what());
  }
}

std::string readFile(const std::string& path, const std::string& option) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(option + ": cannot read \"" + path + "\"");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class Checker : public Poco::Util::Application {
 public:
  bool helpRequested = false;
  Settings settings;
  int timeoutSeconds = 120;
  std::set<std::string> only;
  std::string machineFile, clusterFile;

 protected:
  void defineOptions(Poco::Util::OptionSet& options) override {
    Application::defineOptions(options);
    options.addOption(Option("help", "h", "show this help")
                          .callback(Poco::Util::OptionCallback<Checker>(this, &Checker::onHelp)));
    options.addOption(Option("maas-url", "",
                             "MAAS (or maas-sim) API URL for the scenarios that "
                             "need one")
                          .argument("URL")
                          .binding("check.maasUrl"));
    options.addOption(Option("maas-key", "", "MAAS API key (consumer:token:secret)")
                          .argument("KEY")
                          .binding("check.maasKey"));
    options.addOption(Option("config", "", "plugin configuration, a JSON object (default {})")
                          .argument("JSON")
                          .binding("check.config"));
    options.addOption(Option("machine", "", "sample MaasMachine JSON file used by the scenarios")
                          .argument("FILE")
                          .binding("check.machine"));
    options.addOption(Option("cluster", "", "sample MaasCluster JSON file used by the scenarios")
                          .argument("FILE")
                          .binding("check.cluster"));
    options.addOption(Option("rounds", "", "reconcile/remove rounds before giving up (default 8)")
                          .argument("N")
                          .validator(new Poco::Util::IntValidator(1, 1000))
                          .binding("check.rounds"));
    options.addOption(Option("timeout", "",
                             "seconds per scenario before it counts as hung "
                             "(default 120)")
                          .argument("SECONDS")
                          .validator(new Poco::Util::IntValidator(1, 3600))
                          .binding("check.timeout"));
    options.addOption(Option("only", "", "run only this scenario (repeatable)")
                          .argument("NAME")
                          .repeatable(true)
                          .callback(Poco::Util::OptionCallback<Checker>(this, &Checker::onOnly)));
    options.addOption(
        Option("verbose", "v", "show the host's and plugin's log lines").binding("check.verbose"));
  }

  void onHelp(const std::string&, const std::string&) {
    helpRequested = true;
    stopOptionsProcessing();
  }
  void onOnly(const std::string&, const std::string& value) { only.insert(value); }

  int main(const std::vector<std::string>& args) override {
    if (helpRequested) {
      Poco::Util::HelpFormatter help(options());
      help.setUsage("PLUGIN.so [--maas-url URL --maas-key KEY] [options]");
      help.setHeader("Runs the maasprov plugin conformance suite against PLUGIN.so.");
      help.setCommand("maasprov-plugin-check");
      help.format(std::cout);
      return EXIT_OK;
    }
    if (args.size() != 1) {
      std::cerr << "maasprov-plugin-check: expected exactly one PLUGIN.so argument, got "
                << args.size() << "; see --help\n";
      return EXIT_USAGE;
    }
    auto& cfg = config();
    try {
      settings.plugin = args[0];
      settings.maasUrl = cfg.getString("check.maasUrl", "");
      settings.maasKey = cfg.getString("check.maasKey", "");
      settings.config = cfg.getString("check.config", "{}");
      settings.rounds = cfg.getInt("check.rounds", 8);
      settings.verbose = cfg.hasProperty("check.verbose");
      timeoutSeconds = cfg.getInt("check.timeout", 120);
      settings.machine = parseObject(cfg.has("check.machine")
                                         ? readFile(cfg.getString("check.machine"), "--machine")
                                         : kSampleMachine,
                                     "--machine");
      settings.cluster = parseObject(cfg.has("check.cluster")
                                         ? readFile(cfg.getString("check.cluster"), "--cluster")
                                         : kSampleCluster,
                                     "--cluster");
      for (const auto& key : {"metadata", "spec"}) {
        if (!settings.machine->isObject(key))
          throw std::runtime_error(std::string("--machine: \"") + key + "\" must be an object");
        if (!settings.cluster->isObject(key))
          throw std::runtime_error(std::string("--cluster: \"") + key + "\" must be an object");
      }
      if (settings.haveMaas() && settings.maasKey.empty()) {
        throw std::runtime_error("--maas-key is required with --maas-url");
      }
      for (const auto& name : only) {
        bool known = false;
        for (const auto& s : maasprov::check::scenarios()) known = known || s.name == name;
        if (!known) throw std::runtime_error("--only: unknown scenario \"" + name + "\"");
      }
    } catch (const std::exception& e) {
      std::cerr << "maasprov-plugin-check: " << e.what() << "\n";
      return EXIT_USAGE;
    }
    return runSuite();
  }

 private:
  // In a child: the host's and plugin's log lines go to stderr only with --verbose.
  void quietLogs() const {
    auto logger = std::make_shared<spdlog::logger>(
        "check", std::make_shared<spdlog::sinks::stderr_sink_st>());
    logger->set_level(settings.verbose ? spdlog::level::debug : spdlog::level::off);
    spdlog::set_default_logger(logger);
  }

  int runSuite() {
    std::printf("maasprov-plugin-check: %s\n", settings.plugin.c_str());
    std::string maasProblem;
    if (settings.haveMaas()) {
      // Probed in a child like everything else: the parent stays single-threaded for fork().
      Outcome probe = maasprov::check::runInChild(
          [&] {
            quietLogs();
            std::string why = maasprov::check::probeMaas(settings.maasUrl, settings.maasKey);
            return why.empty() ? Outcome{Verdict::Pass, ""} : Outcome{Verdict::Fail, why};
          },
          std::chrono::seconds(timeoutSeconds));
      maasProblem = probe.verdict == Verdict::Pass ? "" : probe.detail;
      if (maasProblem.empty()) {
        std::printf("MAAS: %s (reachable; scenarios create and release real objects there)\n",
                    settings.maasUrl.c_str());
      } else {
        std::printf("MAAS: %s is not usable: %s; scenarios needing a MAAS FAIL\n",
                    settings.maasUrl.c_str(), maasProblem.c_str());
      }
    } else {
      std::printf(
          "MAAS: none given; MAAS failure scenarios run against in-process stand-ins "
          "(unreachable, HTTP 500, non-JSON); scenarios needing a MAAS are SKIPPED "
          "(pass --maas-url/--maas-key, e.g. a maas-sim)\n");
    }
    std::fflush(stdout);
    int counts[5] = {0, 0, 0, 0, 0};
    for (const auto& scenario : maasprov::check::scenarios()) {
      if (!only.empty() && only.count(scenario.name) == 0) continue;
      Outcome o;
      if (scenario.needs == "maas" && !settings.haveMaas()) {
        o = {Verdict::Skip, "needs a MAAS: not run (no --maas-url)"};
      } else if (scenario.needs != "" && !maasProblem.empty()) {
        o = {Verdict::Fail, "needs a MAAS: the one given is not usable"};
      } else {
        o = maasprov::check::runInChild(
            [&] {
              quietLogs();
              try {
                return scenario.run(settings);
              } catch (const maasprov::plugin::PluginLoadError& e) {
                return Outcome{Verdict::Fail, "cannot be used: " + e.reason()};
              }
            },
            std::chrono::seconds(timeoutSeconds));
      }
      ++counts[static_cast<int>(o.verdict)];
      std::printf("%-7s %-21s %s\n", maasprov::check::verdictName(o.verdict), scenario.name.c_str(),
                  o.detail.c_str());
      std::fflush(stdout);
    }
    int failed = counts[static_cast<int>(Verdict::Fail)] +
                 counts[static_cast<int>(Verdict::Crash)] +
                 counts[static_cast<int>(Verdict::Timeout)];
    std::printf("summary: %d passed, %d failed, %d crashed, %d timed out, %d skipped\n", counts[0],
                counts[1], counts[3], counts[4], counts[2]);
    return failed == 0 ? EXIT_OK : 1;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Checker app;
  try {
    app.init(argc, argv);
  } catch (const Poco::Exception& e) {
    std::cerr << "maasprov-plugin-check: " << e.displayText() << "; see --help\n";
    return Poco::Util::Application::EXIT_USAGE;
  }
  return app.run();
}
