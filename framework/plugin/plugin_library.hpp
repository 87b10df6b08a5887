// One plugin shared object, loaded and negotiated: the loader.
//
// load() opens the file with Boost.DLL (RTLD_NOW | RTLD_LOCAL, so unresolved symbols fail here and
// plugins cannot see each other's symbols), finds `maasprov_plugin_entry`, negotiates an ABI
// version and validates the descriptor. Any failure is a PluginLoadError naming the file and one
// reason. The library stays mapped while the PluginLibrary (held by every instance made from
// it) lives; with LoadOptions::neverUnload (the default) it is never unmapped at all, so code
// or static data a plugin left behind (threads, atexit handlers) cannot crash the host.
//
// Ownership: shared_ptr; PluginInstance keeps its library alive. The descriptor is owned by the
// plugin (static). Thread-safety: immutable after load(); all accessors are safe concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "framework/plugin/plugin_error.hpp"
#include "maasprov/plugin_abi.h"

namespace maasprov::plugin {

enum class Kind { MachineProvisioner, ClusterEndpointProvider };
const char* kindName(Kind kind);

struct LoadOptions {
  bool neverUnload = true;  // keep the code mapped for the life of the process
  uint32_t minVersion = MAASPROV_ABI_VERSION_1;
  uint32_t maxVersion = MAASPROV_ABI_VERSION_CURRENT;
};

class PluginLibrary {
 public:
  // Throws PluginLoadError.
  static std::shared_ptr<const PluginLibrary> load(const std::filesystem::path& file,
                                                   const LoadOptions& options = {});
  ~PluginLibrary();
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  const std::filesystem::path& file() const { return file_; }
  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  Kind kind() const { return kind_; }
  const std::vector<std::string>& modes() const { return modes_; }
  uint32_t abiVersion() const { return abiVersion_; }
  bool hasDescribe() const { return descriptor_->describe != nullptr; }
  const maasprov_plugin_descriptor& descriptor() const { return *descriptor_; }

 private:
  struct Handle;
  struct Private {};

 public:
  explicit PluginLibrary(Private);  // only load() can make one

 private:
  std::filesystem::path file_;
  std::unique_ptr<Handle> handle_;
  const maasprov_plugin_descriptor* descriptor_ = nullptr;
  std::string name_;
  std::string version_;
  Kind kind_ = Kind::MachineProvisioner;
  std::vector<std::string> modes_;
  uint32_t abiVersion_ = 0;
};

}  // namespace maasprov::plugin
