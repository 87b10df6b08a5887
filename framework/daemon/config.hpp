// maasprovd's configuration: every key of the .properties/.ini file (docs/configuration.md),
// read from a Poco configuration, checked, with defaults, and the secrets the files name.
//
// A wrong or missing setting is a ConfigError whose what() is one line naming the key and what
// was expected ("maas.url: expected an http:// or https:// URL, got 'ftp://x'"). Secret values
// (MAAS key, API token) are never part of a message. The configuration file and the secret files
// are read only when their owner and mode keep other local users out (checkFileAccess).
//
// Ownership: plain values. Thread-safety: loadConfig() is reentrant.
#pragma once

#include <Poco/Util/AbstractConfiguration.h>
#include <sys/stat.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace maasprov::daemon {

// `text` made safe for one log line: control characters and bytes that are not UTF-8 become
// \xNN escapes, and anything past 512 bytes is cut (a hostile file must not flood the log).
std::string printable(const std::string& text);

class ConfigError : public std::runtime_error {
 public:
  ConfigError(const std::string& key, const std::string& expected)
      : std::runtime_error(printable(key) + ": " + printable(expected)), key_(key) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

struct DaemonConfig {
  std::string maasUrl;
  std::string maasApiKey;  // secret: from maas.api_key_file or MAAS_API_KEY
  std::string maasCaFile;
  bool maasVerifyTls = true;
  int maasMaxConnections = 32;  // concurrent MAAS requests (and pooled connections)

  std::vector<std::string> pluginDirectories;
  bool pluginAllowInsecurePermissions = false;
  std::map<std::string, std::string> pluginConfigs;  // plugin name -> JSON object text

  std::string storePath = "/var/lib/maasprov/maasprov.db";

  std::string apiListen = "127.0.0.1:5241";
  std::string apiToken;  // secret: from api.token_file or MAASPROV_API_TOKEN
  std::size_t apiMaxBodyBytes = 1 << 20;
  std::string apiPortFile;  // written with the bound port once listening (tests, supervisors)

  std::vector<std::string> namespaces;
  // Sized so that a fleet provisions in parallel while MAAS sees a bounded number of requests
  // at once: each worker makes at most one MAAS call at a time, the poller one more.
  int workers = 32;
  std::chrono::milliseconds requeueInterval{60000};
  std::chrono::milliseconds pollInterval{10000};
  std::chrono::milliseconds pollMinInterval{250};
  std::size_t pollBatchSize = 100;
  std::chrono::milliseconds resyncInterval{600000};
  std::chrono::milliseconds pluginTimeout{120000};
  std::chrono::milliseconds backoffBase{1000};
  std::chrono::milliseconds backoffMax{300000};

  std::string logLevel = "info";
  std::string logFormat = "text";
};

// Looks up an environment variable; tests pass their own.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
std::optional<std::string> processEnv(const std::string& name);

// Reads and checks every key. `defaultPluginDirs` is used when plugins.directories is unset.
// Relative paths in the file (key, token and CA files, store, plugin directories) are taken
// relative to `baseDir`, the configuration file's directory. Throws ConfigError.
DaemonConfig loadConfig(const Poco::Util::AbstractConfiguration& config,
                        const std::vector<std::string>& defaultPluginDirs,
                        const std::string& baseDir = {}, const EnvLookup& env = processEnv);

// Who besides the file's owner may have access to a file the daemon reads at start-up.
enum class FileAccess {
  OwnerOnly,            // secrets: mode 0600 or 0400
  OwnerAndDaemonGroup,  // the configuration: also 0640/0440 when its group is the daemon's
};

// Refuses (ConfigError naming `key` and `path`) a file that is not a regular file, is owned by
// neither root nor the daemon's user, or whose mode lets others than `access` allows read,
// write or execute it. `st` is the fstat() of the open file, so what is checked is what is read.
void checkFileAccess(const std::string& key, const std::string& path, const struct stat& st,
                     FileAccess access);

// Reads at most `maxBytes` of `path` after checkFileAccess(). Opens without following into a
// FIFO's wait (O_NONBLOCK), so a FIFO or device is refused instead of hanging start-up.
std::string readPrivateFile(const std::string& key, const std::string& path, FileAccess access,
                            std::size_t maxBytes);

// Largest files accepted; real configurations are a few kilobytes, secrets under one.
constexpr std::size_t kMaxConfigFileBytes = 1 << 20;
constexpr std::size_t kMaxSecretFileBytes = 64 << 10;

// Opens a configuration file by its extension (.properties or .ini) after
// readPrivateFile(FileAccess::OwnerAndDaemonGroup). Throws ConfigError (key "--config") naming
// the file when it is missing, a directory, too open, too large, not UTF-8 text, of another
// type, or sets a key twice.
Poco::AutoPtr<Poco::Util::AbstractConfiguration> openConfigFile(const std::string& path);

// Reads a secret from `path` (surrounding whitespace trimmed) with FileAccess::OwnerOnly.
// Throws ConfigError naming `key` and the file, never the contents.
std::string readSecretFile(const std::string& key, const std::string& path);

// "250ms", "10s", "2m", "1h", or a plain number of seconds ("0.2"). Throws ConfigError for
// anything else or a negative duration.
std::chrono::milliseconds parseDuration(const std::string& key, const std::string& text);

// Log levels spdlog knows: trace, debug, info, warn, error, critical, off.
bool isLogLevel(const std::string& level);

}  // namespace maasprov::daemon
