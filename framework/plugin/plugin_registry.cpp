#include "framework/plugin/plugin_registry.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace maasprov::plugin {

PluginRegistry::PluginRegistry(RegistryOptions options, std::shared_ptr<const HostEnvironment> env)
    : options_(std::move(options)), env_(std::move(env)) {
  if (!env_) env_ = std::make_shared<HostEnvironment>();
}

void PluginRegistry::refuse(const std::filesystem::path& file, const std::string& reason) {
  spdlog::error("plugin {} refused: {}", file.string(), reason);
  refused_.push_back({file, reason});
}

void PluginRegistry::load() {
  DiscoveryResult found = discoverPlugins(options_.discovery);
  for (const auto& dir : found.missingDefaults) {
    spdlog::warn("default plugin directory {} does not exist: no plugins loaded from it",
                 dir.string());
  }
  for (const auto& r : found.refused) refuse(r.file, r.reason);
  for (const auto& file : found.files) addFile(file);
  resolve();
}

void PluginRegistry::addFile(const std::filesystem::path& file) {
  std::shared_ptr<const PluginLibrary> library;
  try {
    library = PluginLibrary::load(file, options_.load);
  } catch (const PluginLoadError& e) {
    refuse(file, e.reason());
    return;
  }
  for (const auto& other : instances_) {
    if (other->name() == library->name()) {
      refuse(file, "plugin name '" + library->name() + "' is already taken by " +
                       other->library().file().string());
      return;
    }
  }
  auto config = options_.pluginConfigs.find(library->name());
  try {
    auto instance = PluginInstance::create(
        library, env_, config == options_.pluginConfigs.end() ? "{}" : config->second);
    spdlog::info("plugin {} loaded: '{}' {} ({}, ABI {})", file.string(), library->name(),
                 library->version(), kindName(library->kind()), library->abiVersion());
    instances_.push_back(std::move(instance));
  } catch (const PluginLoadError& e) {
    refuse(file, e.reason());
  }
}

void PluginRegistry::resolve() {
  byMode_.clear();
  endpoint_.reset();
  std::map<std::string, std::vector<std::shared_ptr<PluginInstance>>> claims;
  std::vector<std::shared_ptr<PluginInstance>> endpoints;
  for (const auto& inst : instances_) {
    if (inst->library().kind() == Kind::ClusterEndpointProvider) endpoints.push_back(inst);
    for (const auto& mode : inst->library().modes()) claims[mode].push_back(inst);
  }
  std::vector<std::string> conflicts;
  for (const auto& [mode, claimants] : claims) {
    if (claimants.size() == 1) {
      byMode_[mode] = claimants.front();
      continue;
    }
    std::string names;
    for (const auto& c : claimants) {
      names +=
          (names.empty() ? "'" : ", '") + c->name() + "' (" + c->library().file().string() + ")";
    }
    auto winner = options_.modeWinners.find(mode);
    if (winner != options_.modeWinners.end()) {
      auto it = std::find_if(claimants.begin(), claimants.end(),
                             [&](const auto& c) { return c->name() == winner->second; });
      if (it != claimants.end()) {
        byMode_[mode] = *it;
        spdlog::info("provisioningMode \"{}\" is claimed by {}; '{}' serves it as configured", mode,
                     names, winner->second);
        continue;
      }
      conflicts.push_back("provisioningMode \"" + mode + "\": the configured winner '" +
                          winner->second + "' is not among its plugins " + names);
      continue;
    }
    conflicts.push_back("provisioningMode \"" + mode + "\" is served by several plugins: " + names +
                        "; name the one to use in the configuration");
  }
  if (endpoints.size() == 1 && options_.endpointProvider.empty()) {
    endpoint_ = endpoints.front();
  } else if (!endpoints.empty()) {
    auto it = std::find_if(endpoints.begin(), endpoints.end(),
                           [&](const auto& c) { return c->name() == options_.endpointProvider; });
    if (it != endpoints.end()) {
      endpoint_ = *it;
    } else {
      std::string names;
      for (const auto& c : endpoints) names += (names.empty() ? "'" : ", '") + c->name() + "'";
      conflicts.push_back(options_.endpointProvider.empty()
                              ? "several cluster endpoint providers are loaded (" + names +
                                    "); name the one to use in the configuration"
                              : "the configured endpoint provider '" + options_.endpointProvider +
                                    "' is not loaded (loaded: " + names + ")");
    }
  }
  if (!conflicts.empty()) {
    std::string message = "plugin conflicts: ";
    for (size_t i = 0; i < conflicts.size(); ++i) message += (i ? "; " : "") + conflicts[i];
    throw RegistryError(message);
  }
}

Lookup PluginRegistry::provisionerFor(const std::string& mode) const {
  auto it = byMode_.find(mode);
  if (it != byMode_.end()) return {it->second, {}};
  std::string served;
  for (const auto& [m, inst] : byMode_) served += (served.empty() ? "" : ", ") + m;
  return {nullptr, "no plugin serves provisioningMode \"" + mode + "\" (served: " +
                       (served.empty() ? "none; no machine provisioner is loaded" : served) + ")"};
}

Lookup PluginRegistry::endpointProvider() const {
  if (endpoint_) return {endpoint_, {}};
  return {nullptr, "no cluster endpoint provider plugin is loaded"};
}

std::vector<PluginInfo> PluginRegistry::plugins() const {
  std::vector<PluginInfo> out;
  for (const auto& inst : instances_) {
    const auto& lib = inst->library();
    PluginInfo info{lib.file(),  lib.name(), lib.version(),   lib.kind(),
                    lib.modes(), {},         lib.abiVersion()};
    for (const auto& [mode, owner] : byMode_) {
      if (owner == inst) info.serving.push_back(mode);
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::shared_ptr<PluginInstance> PluginRegistry::instance(const std::string& name) const {
  for (const auto& inst : instances_) {
    if (inst->name() == name) return inst;
  }
  return nullptr;
}

std::vector<std::string> PluginRegistry::servedModes() const {
  std::vector<std::string> out;
  for (const auto& [mode, inst] : byMode_) out.push_back(mode);
  return out;
}

}  // namespace maasprov::plugin
