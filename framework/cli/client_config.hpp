// Where the CLI finds maasprovd and its API token, and in which order (docs/cli.md):
//
//   1. flags        --server, --token / --token-file
//   2. environment  MAASPROV_SERVER, MAASPROV_TOKEN / MAASPROV_TOKEN_FILE
//   3. config file  $XDG_CONFIG_HOME/maasprov/config or ~/.config/maasprov/config
//                   (keys server, token, token_file; Poco property-file syntax)
//   4. defaults     http://127.0.0.1:5241 and the token file of a local maasprovd
//
// Each setting is resolved on its own, so a server from the environment combines with a token
// from the config file. Empty values count as unset. The token itself is never part of a
// message; only where it came from (`tokenSource`) is.
//
// Ownership: plain values. Thread-safety: resolveClientConfig() is reentrant.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace maasprov::cli {

// Default server: the listen address a local maasprovd uses by default.
inline constexpr const char* kDefaultServer = "http://127.0.0.1:5241";
// Default token file: the one the packaged maasprovd configuration names.
inline constexpr const char* kDefaultTokenFile = "/etc/maasprov/api-token";

struct ClientFlags {
  std::optional<std::string> server;
  std::optional<std::string> token;
  std::optional<std::string> tokenFile;
};

struct ClientConfig {
  std::string server;       // normalised: scheme://host:port, no trailing slash
  std::string token;        // empty when none was found
  std::string tokenSource;  // e.g. "--token-file /x", "MAASPROV_TOKEN", "default file /etc/..."
  std::string configFile;   // the config file consulted (may not exist)
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment, treating empty variables as unset.
std::optional<std::string> processEnvironment(const std::string& name);

// Throws CliError (usage, exit 2) for a malformed config file, an unreadable token file that
// was asked for explicitly, both a token and a token file on one level, or a bad server URL.
ClientConfig resolveClientConfig(const ClientFlags& flags, const EnvLookup& env);

// "127.0.0.1:5241" -> "http://127.0.0.1:5241"; refuses anything but http:// URLs without path.
std::string normaliseServer(const std::string& server, const std::string& origin);

}  // namespace maasprov::cli
