#include "framework/plugin/discovery.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

namespace maasprov::plugin {
namespace {

std::string octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// "/a/b/", "/a/./b" and "/a/b" name one directory.
std::filesystem::path normalDir(const std::filesystem::path& p) {
  auto n = p.lexically_normal();
  return n.has_filename() ? n : n.parent_path();
}

bool isDefault(const std::filesystem::path& dir, const DiscoveryOptions& options) {
  const auto d = normalDir(dir);
  return std::any_of(options.defaultDirectories.begin(), options.defaultDirectories.end(),
                     [&](const auto& def) { return normalDir(def) == d; });
}

}  // namespace

std::optional<std::string> untrustedReason(const std::filesystem::path& path,
                                           const DiscoveryOptions& options) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return std::string("cannot be inspected: ") + std::strerror(errno);
  }
  if (!options.checkPermissions) return std::nullopt;
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return std::string("writable by group or others (mode ") + octal(st.st_mode) +
           "); run chmod go-w on it, or disable the permission check for development";
  }
  std::vector<uid_t> trusted = options.trustedOwners;
  if (trusted.empty()) trusted = {0, ::geteuid()};
  if (std::find(trusted.begin(), trusted.end(), st.st_uid) == trusted.end() && st.st_uid != 0) {
    return "owned by uid " + std::to_string(st.st_uid) +
           ", which is neither root nor a trusted owner (the service user)";
  }
  return std::nullopt;
}

std::filesystem::path defaultPluginDirectory() {
  return MAASPROV_DEFAULT_PLUGIN_DIR;
}

DiscoveryResult discoverPlugins(const DiscoveryOptions& options) {
  DiscoveryResult result;
  std::set<std::filesystem::path> seen;  // a directory listed twice loads its plugins once
  for (const auto& dir : options.directories) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      const bool absent = !std::filesystem::exists(dir, ec) && !ec;  // not "cannot tell"
      if (absent && isDefault(dir, options)) {
        result.missingDefaults.push_back(dir);
      } else {
        result.refused.push_back({dir,
                                  "plugin directory does not exist or is not a directory (listed "
                                  "in plugins.directories)"});
      }
      continue;
    }
    if (auto why = untrustedReason(dir, options)) {
      result.refused.push_back({dir, "plugin directory " + *why});
      continue;
    }
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const auto& p = it->path();
      if (p.extension() == ".so") files.push_back(p);
    }
    if (ec) {
      result.refused.push_back({dir, "plugin directory cannot be read: " + ec.message()});
      continue;
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      auto canonical = std::filesystem::weakly_canonical(file, ec);
      if (ec) canonical = file;
      if (!seen.insert(canonical).second) continue;
      if (!std::filesystem::is_regular_file(file, ec)) {
        result.refused.push_back({file, "not a regular file"});
        continue;
      }
      if (auto why = untrustedReason(file, options)) {
        result.refused.push_back({file, *why});
        continue;
      }
      // A symlink is only as trustworthy as the directory its target lives in.
      if (canonical.parent_path() != std::filesystem::weakly_canonical(dir, ec)) {
        if (auto why = untrustedReason(canonical.parent_path(), options)) {
          result.refused.push_back({file, "links to a directory that is " + *why});
          continue;
        }
      }
      result.files.push_back(file);
    }
  }
  return result;
}

}  // namespace maasprov::plugin
