#include "framework/daemon/daemon_app.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "framework/api/api_server.hpp"
#include "framework/controller/controller.hpp"
#include "framework/daemon/config.hpp"
#include "framework/daemon/logging.hpp"
#include "framework/maas/client.hpp"
#include "framework/maas/errors.hpp"
#include "framework/maas/vm_hosts.hpp"
#include "framework/metrics/registry.hpp"
#include "framework/plugin/discovery.hpp"
#include "framework/plugin/plugin_registry.hpp"
#include "framework/store/sqlite_store.hpp"

namespace maasprov::daemon {
namespace {

using Poco::Util::Option;
using Poco::Util::OptionCallback;

constexpr const char* kDefaultConfig = "/etc/maasprov/maasprovd.properties";

// One line on stderr, the whole diagnosis of a failed start.
int startupError(const std::string& line, int code) {
  std::cerr << "maasprovd: " << line << std::endl;
  return code;
}

sigset_t handledSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGQUIT);
  sigaddset(&set, SIGHUP);
  return set;
}

Poco::JSON::Object::Ptr pluginsDocument(const plugin::PluginRegistry& registry) {
  Poco::JSON::Object::Ptr doc = new Poco::JSON::Object;
  doc->set("kind", "PluginList");
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& p : registry.plugins()) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("name", p.name);
    o->set("version", p.version);
    o->set("kind", std::string(plugin::kindName(p.kind)));
    o->set("file", p.file.string());
    o->set("abiVersion", p.abiVersion);
    Poco::JSON::Array::Ptr modes = new Poco::JSON::Array;
    for (const auto& m : p.serving) modes->add(m);
    o->set("serving", modes);
    items->add(o);
  }
  doc->set("items", items);
  Poco::JSON::Array::Ptr refused = new Poco::JSON::Array;
  for (const auto& r : registry.refused()) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("file", r.file.string());
    o->set("reason", r.reason);
    refused->add(o);
  }
  doc->set("refused", refused);
  return doc;
}

}  // namespace

void DaemonApp::defineOptions(Poco::Util::OptionSet& options) {
  ServerApplication::defineOptions(options);
  options.addOption(Option("config", "c",
                           "Configuration file (.properties or .ini); default " +
                               std::string(kDefaultConfig) + ".")
                        .required(false)
                        .repeatable(false)
                        .argument("FILE"));
  options.addOption(Option("version", "", "Print the version and exit.").required(false));
  options.addOption(Option("help", "h", "Print this help and exit.").required(false));
}

void DaemonApp::handleOption(const std::string& name, const std::string& value) {
  ServerApplication::handleOption(name, value);
  if (name == "config") {
    std::filesystem::path path(value);
    configPath_ = path.is_absolute() || startDirectory_.empty()
                      ? value
                      : (std::filesystem::path(startDirectory_) / path).lexically_normal().string();
  }
  if (name == "version") versionRequested_ = true;
  if (name == "help") helpRequested_ = true;
  if (name == "version" || name == "help") stopOptionsProcessing();
}

std::vector<std::string> DaemonApp::defaultPluginDirectories() const {
  // Run from the build tree (development), use the plugins built beside it.
  std::error_code ec;
  auto here = std::filesystem::weakly_canonical(config().getString("application.dir", ""), ec);
  auto buildBin = std::filesystem::weakly_canonical(MAASPROV_BUILD_BIN_DIR, ec);
  if (!here.empty() && here == buildBin) return {MAASPROV_BUILD_PLUGIN_DIR};
  return {plugin::defaultPluginDirectory().string()};
}

int DaemonApp::main(const std::vector<std::string>& args) {
  if (helpRequested_) {
    Poco::Util::HelpFormatter help(options());
    help.setCommand(commandName());
    help.setUsage("[--config FILE] [--daemon] [--pidfile FILE]");
    help.setHeader("maasprovd " MAASPROV_VERSION
                   ": provisions MaasMachines and MaasClusters through Canonical MAAS.");
    help.format(std::cout);
    return EXIT_OK;
  }
  if (versionRequested_) {
    std::cout << "maasprovd " << MAASPROV_VERSION << std::endl;
    return EXIT_OK;
  }
  if (!args.empty()) return startupError("unexpected argument '" + args[0] + "'", EXIT_USAGE);
  // Block the signals before any thread exists, so only sigwait() below receives them.
  sigset_t signals = handledSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return serve(configPath_.empty() ? kDefaultConfig : configPath_);
}

int DaemonApp::serve(const std::string& configPath) {
  DaemonConfig cfg;
  try {
    auto file = openConfigFile(configPath);
    auto dir = std::filesystem::absolute(configPath).parent_path().string();
    cfg = loadConfig(*file, defaultPluginDirectories(), dir);
  } catch (const ConfigError& e) {
    return startupError(configPath + ": " + e.what(), EXIT_CONFIG);
  }
  auto log = makeLogger(cfg.logFormat, cfg.logLevel);
  log->info("maasprovd {} starting (config {})", MAASPROV_VERSION, configPath);

  std::unique_ptr<store::SqliteStore> store;
  try {
    store = std::make_unique<store::SqliteStore>(store::SqliteStore::Options{cfg.storePath});
  } catch (const std::exception& e) {
    log->critical("store.path: {}", e.what());
    return startupError("store.path: " + std::string(e.what()), EXIT_CANTCREAT);
  }

  std::unique_ptr<maas::Client> maasClient;
  try {
    maas::ClientConfig mc;
    mc.url = cfg.maasUrl;
    mc.apiKey = cfg.maasApiKey;
    mc.caFile = cfg.maasCaFile;
    mc.verifyTls = cfg.maasVerifyTls;
    mc.maxConnections = cfg.maasMaxConnections;
    maasClient = std::make_unique<maas::Client>(mc);
  } catch (const std::exception& e) {
    log->critical("maas: {}", e.what());
    return startupError("maas.url: " + std::string(e.what()), EXIT_CONFIG);
  }

  auto env = std::make_shared<plugin::HostEnvironment>();
  env->transport = maasClient.get();
  env->logger = log;
  plugin::RegistryOptions ro;
  for (const auto& d : cfg.pluginDirectories) ro.discovery.directories.emplace_back(d);
  ro.discovery.checkPermissions = !cfg.pluginAllowInsecurePermissions;
  // A default directory may be absent (no third-party plugins yet); any other may not.
  ro.discovery.defaultDirectories = {plugin::defaultPluginDirectory()};
  for (const auto& d : defaultPluginDirectories()) ro.discovery.defaultDirectories.emplace_back(d);
  ro.pluginConfigs = cfg.pluginConfigs;
  auto registry = std::make_unique<plugin::PluginRegistry>(ro, env);
  try {
    registry->load();
  } catch (const std::exception& e) {
    log->critical("plugins: {}", e.what());
    return startupError("plugins.directories: " + std::string(e.what()), EXIT_CONFIG);
  }
  if (cfg.pluginAllowInsecurePermissions) {
    log->warn("plugins.allow_insecure_permissions is on: plugin files are not checked");
  }
  for (const auto& p : registry->plugins()) {
    log->info("plugin '{}' {} ({}) from {}", p.name, p.version, plugin::kindName(p.kind),
              p.file.string());
  }

  metrics::Registry metrics;
  auto& loaded = metrics.gauge("maasprov_plugins_loaded", "Plugins loaded, by name and kind.",
                               {"name", "kind"});
  for (const auto& p : registry->plugins()) loaded.set({p.name, plugin::kindName(p.kind)}, 1);
  auto& maasRequests = metrics.counter(
      "maasprov_maas_requests_total",
      "MAAS API requests by endpoint and HTTP status (0: no response).", {"endpoint", "status"});
  metrics.addCollector([&] {
    for (const auto& c : maasClient->requestCounts()) {
      maasRequests.set({c.endpoint, std::to_string(c.status)}, static_cast<double>(c.count));
    }
  });
  // Writes that changed something, and the fsynced transactions that carried them (group
  // commit: writes / commits is the average batch).
  auto& storeWrites = metrics.counter("maasprov_store_writes_total",
                                      "Store writes that changed an object, since start.");
  auto& storeCommits =
      metrics.counter("maasprov_store_commits_total",
                      "Store transactions committed (one fsync each), since start.");
  metrics.addCollector([&] {
    const auto stats = store->writeStats();
    storeWrites.set({}, static_cast<double>(stats.writes));
    storeCommits.set({}, static_cast<double>(stats.commits));
  });

  controller::ControllerOptions co;
  co.namespaces = cfg.namespaces;
  co.workers = cfg.workers;
  co.requeueInterval = cfg.requeueInterval;
  co.pollInterval = cfg.pollInterval;
  co.pollMinInterval = cfg.pollMinInterval;
  co.pollBatchSize = cfg.pollBatchSize;
  co.resyncInterval = cfg.resyncInterval;
  co.pluginTimeout = cfg.pluginTimeout;
  co.backoffBase = cfg.backoffBase;
  co.backoffMax = cfg.backoffMax;
  auto ctl = std::make_unique<controller::Controller>(co, *store, *registry, maasClient.get(),
                                                      &metrics, log);

  api::ApiOptions ao;
  ao.listen = cfg.apiListen;
  ao.token = cfg.apiToken;
  ao.maxBodyBytes = cfg.apiMaxBodyBytes;
  ao.namespaces = cfg.namespaces;
  api::ApiHooks hooks;
  std::unique_ptr<api::ApiServer> server;
  hooks.metricsText = [&] {
    return metrics.render() + (server ? server->requestMetricsText() : "");
  };
  hooks.ready = [&] { return ctl->ready(); };
  hooks.plugins = [&] { return pluginsDocument(*registry); };
  hooks.vmHosts = [&]() -> Poco::JSON::Array::Ptr {
    maas::Response r = maasClient->send(maas::Request{"GET", "vm-hosts/", "", {}, true});
    if (r.status != 200) {
      throw std::runtime_error("MAAS answered GET vm-hosts/ with HTTP " + std::to_string(r.status));
    }
    auto hosts = Poco::JSON::Parser().parse(r.body).extract<Poco::JSON::Array::Ptr>();
    // MAAS keeps an LXD host's project among its connection parameters, not in the listing;
    // operators need it beside the capacity figures, so add it to each item.
    maas::VmHosts vmHosts(*maasClient);
    for (std::size_t i = 0; i < hosts->size(); ++i) {
      Poco::JSON::Object::Ptr host = hosts->getObject(static_cast<unsigned>(i));
      if (!host || host->optValue<std::string>("type", "") != "lxd") continue;
      host->set("project", vmHosts.parameters(host->getValue<std::int64_t>("id")).project);
    }
    return hosts;
  };
  try {
    server = std::make_unique<api::ApiServer>(ao, *store, hooks);
    ctl->start();
    server->start();
  } catch (const std::exception& e) {
    log->critical("start-up failed: {}", e.what());
    ctl->stop();
    return startupError("api.listen: " + std::string(e.what()), EXIT_SOFTWARE);
  }
  if (!cfg.apiPortFile.empty()) {
    // Written whole under a temporary name, then renamed: readers never see a partial port.
    std::string tmp = cfg.apiPortFile + ".tmp";
    std::ofstream(tmp) << server->port() << "\n";
    std::filesystem::rename(tmp, cfg.apiPortFile);
  }
  log->info("maasprovd ready: API on {} (port {}), {} plugin(s), store {}", cfg.apiListen,
            server->port(), registry->plugins().size(), cfg.storePath);

  sigset_t signals = handledSignals();
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig != SIGHUP) {
      log->info("received {}, stopping", sig == SIGTERM  ? "SIGTERM"
                                         : sig == SIGINT ? "SIGINT"
                                                         : "SIGQUIT");
      break;
    }
    try {
      auto file = openConfigFile(configPath);
      std::string level = Poco::toLower(Poco::trim(file->getRawString("log.level", "info")));
      if (!isLogLevel(level))
        throw ConfigError("log.level", "expected trace, debug, info, warn, error, critical or off");
      setLogLevel(level);
      log->warn(
          "SIGHUP: log level is now '{}'; every other setting (MAAS, plugins and their "
          "configuration, store, API, controller) is NOT reloaded: restart maasprovd to "
          "apply changes to them",
          level);
    } catch (const std::exception& e) {
      log->error("SIGHUP: configuration not reloaded: {}", e.what());
    }
  }

  const auto stopping = std::chrono::steady_clock::now();
  server->stop();
  ctl->stop();
  ctl.reset();
  server.reset();
  registry.reset();
  store.reset();
  log->info("maasprovd stopped in {} ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::steady_clock::now() - stopping)
                                              .count());
  log->flush();
  return EXIT_OK;
}

}  // namespace maasprov::daemon
