// Finding plugin files: every `*.so` directly inside the configured directories, checked for
// ownership and permissions before anything is loaded (loading runs the file's code as the
// daemon's user, so a file others can replace is refused).
//
// Ownership: plain values. Thread-safety: discoverPlugins() is reentrant.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace maasprov::plugin {

struct DiscoveryOptions {
  std::vector<std::filesystem::path> directories;
  // Refuse files and directories writable by group/others or owned by an untrusted user.
  // Turn off only for development.
  bool checkPermissions = true;
  // Owners accepted besides root. Empty: root and the user the process runs as.
  std::vector<uid_t> trustedOwners;
  // The compiled-in default directories: when one of `directories` is one of these and does
  // not exist, it is reported in DiscoveryResult::missingDefaults instead of being refused (a
  // fresh install has no third-party plugins, which is no fault).
  std::vector<std::filesystem::path> defaultDirectories = {};
};

struct Refusal {
  std::filesystem::path file;
  std::string reason;
};

struct DiscoveryResult {
  std::vector<std::filesystem::path> files;  // sorted per directory, directories in given order
  std::vector<Refusal> refused;
  std::vector<std::filesystem::path> missingDefaults;  // default directories that do not exist
};

DiscoveryResult discoverPlugins(const DiscoveryOptions& options);

// Where installed plugins live: CMAKE_INSTALL_FULL_LIBDIR/maasprov/plugins of this build, the
// directory the SDK's maasprov_add_plugin() installs third-party plugins to.
std::filesystem::path defaultPluginDirectory();

// The reason `path` (file or directory) may not be trusted, or nullopt when it may.
std::optional<std::string> untrustedReason(const std::filesystem::path& path,
                                           const DiscoveryOptions& options);

}  // namespace maasprov::plugin
