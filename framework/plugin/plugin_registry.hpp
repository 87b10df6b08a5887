// The set of plugins the host runs: discovered, loaded, instantiated once each, and indexed by
// provisioningMode (machine provisioners) plus the one cluster endpoint provider.
//
// Every file that cannot be used is logged in one line naming the file and the reason, kept in
// refused(), and does not stop the others. Conflicts are start-up errors (RegistryError) unless
// the configuration names a winner: two provisioners claiming one mode (modeWinners), two
// endpoint providers (endpointProvider). A lookup for a mode nobody serves returns a clear
// reason, never throws.
//
// Ownership: owns the instances (shared_ptr, so a running call keeps its instance alive).
// Thread-safety: load() must finish before other use; afterwards every const member function
// is safe to call concurrently.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "framework/plugin/discovery.hpp"
#include "framework/plugin/plugin_instance.hpp"
#include "framework/plugin/plugin_library.hpp"

namespace maasprov::plugin {

struct RegistryOptions {
  DiscoveryOptions discovery;
  LoadOptions load;
  std::map<std::string, std::string> modeWinners;    // provisioningMode -> plugin name
  std::string endpointProvider;                      // plugin name when several are present
  std::map<std::string, std::string> pluginConfigs;  // plugin name -> JSON config object
};

// A configuration the registry cannot honour (conflicting plugins with no winner named).
class RegistryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RefusedPlugin {
  std::filesystem::path file;
  std::string reason;
};

struct PluginInfo {
  std::filesystem::path file;
  std::string name;
  std::string version;
  Kind kind;
  std::vector<std::string> modes;    // all modes the plugin declares
  std::vector<std::string> serving;  // the modes it actually serves after conflict resolution
  uint32_t abiVersion;
};

struct Lookup {
  std::shared_ptr<PluginInstance> instance;  // null when nothing serves the request
  std::string reason;                        // why, when instance is null
  explicit operator bool() const { return instance != nullptr; }
};

class PluginRegistry {
 public:
  PluginRegistry(RegistryOptions options, std::shared_ptr<const HostEnvironment> env);

  // Discovers, loads and instantiates. Throws RegistryError on unresolved conflicts.
  void load();
  // Loads one file explicitly (tests, `maasprov-plugin-check`); refusals are recorded as usual.
  // Call resolve() after the last one.
  void addFile(const std::filesystem::path& file);
  void resolve();

  Lookup provisionerFor(const std::string& mode) const;
  Lookup endpointProvider() const;

  std::vector<PluginInfo> plugins() const;
  // The loaded plugin named `name` (for describe/health), or null.
  std::shared_ptr<PluginInstance> instance(const std::string& name) const;
  const std::vector<RefusedPlugin>& refused() const { return refused_; }
  std::vector<std::string> servedModes() const;

 private:
  void refuse(const std::filesystem::path& file, const std::string& reason);

  RegistryOptions options_;
  std::shared_ptr<const HostEnvironment> env_;
  std::vector<std::shared_ptr<PluginInstance>> instances_;  // in load order
  std::map<std::string, std::shared_ptr<PluginInstance>> byMode_;
  std::shared_ptr<PluginInstance> endpoint_;
  std::vector<RefusedPlugin> refused_;
};

}  // namespace maasprov::plugin
