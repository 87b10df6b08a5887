#include "framework/daemon/config.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/URI.h>
#include <Poco/Util/IniFileConfiguration.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace maasprov::daemon {
namespace {

using Poco::Util::AbstractConfiguration;

std::string get(const AbstractConfiguration& c, const std::string& key, const std::string& dflt) {
  return Poco::trim(c.getRawString(key, dflt));
}

bool getBool(const AbstractConfiguration& c, const std::string& key, bool dflt) {
  if (!c.hasProperty(key)) return dflt;
  std::string v = Poco::toLower(get(c, key, ""));
  if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
  if (v == "false" || v == "no" || v == "off" || v == "0") return false;
  throw ConfigError(key, "expected true or false, got '" + v + "'");
}

long long getInt(const AbstractConfiguration& c, const std::string& key, long long dflt,
                 long long min, long long max) {
  if (!c.hasProperty(key)) return dflt;
  std::string v = get(c, key, "");
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno != 0 || n < min || n > max) {
    throw ConfigError(key, "expected an integer from " + std::to_string(min) + " to " +
                               std::to_string(max) + ", got '" + v + "'");
  }
  return n;
}

std::vector<std::string> getList(const AbstractConfiguration& c, const std::string& key) {
  std::vector<std::string> out;
  Poco::StringTokenizer tokens(
      get(c, key, ""), ",",
      Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
  for (const auto& t : tokens) out.push_back(t);
  return out;
}

std::chrono::milliseconds getDuration(const AbstractConfiguration& c, const std::string& key,
                                      std::chrono::milliseconds dflt, bool allowZero) {
  if (!c.hasProperty(key)) return dflt;
  auto d = parseDuration(key, get(c, key, ""));
  if (!allowZero && d.count() == 0) throw ConfigError(key, "expected a duration greater than 0");
  return d;
}

bool validLabel(const std::string& s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  for (char ch : s) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> processEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

bool isLogLevel(const std::string& level) {
  for (const char* l : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    if (level == l) return true;
  }
  return false;
}

std::chrono::milliseconds parseDuration(const std::string& key, const std::string& text) {
  const std::string expected =
      "expected a duration such as 500ms, 10s, 2m or 1h (a plain number means seconds), got '" +
      text + "'";
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
    ++i;
  }
  if (i == 0) throw ConfigError(key, expected);
  char* end = nullptr;
  std::string number = text.substr(0, i);
  double value = std::strtod(number.c_str(), &end);
  if (*end != '\0' || !std::isfinite(value)) throw ConfigError(key, expected);
  std::string unit = text.substr(i);
  double ms;
  if (unit.empty() || unit == "s") {
    ms = value * 1000;
  } else if (unit == "ms") {
    ms = value;
  } else if (unit == "m") {
    ms = value * 60000;
  } else if (unit == "h") {
    ms = value * 3600000;
  } else {
    throw ConfigError(key, expected);
  }
  if (ms > 1e12) throw ConfigError(key, expected);
  return std::chrono::milliseconds(static_cast<long long>(std::llround(ms)));
}

std::string readSecretFile(const std::string& key, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw ConfigError(key, "cannot read '" + path + "': " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) throw ConfigError(key, "'" + path + "' is not a regular file");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    std::ostringstream mode;
    mode << std::oct << (st.st_mode & 0777);
    throw ConfigError(key, "'" + path + "' is accessible by group or others (mode 0" + mode.str() +
                               "); expected mode 0600 or 0400 (chmod 600 " + path + ")");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(key, "cannot read '" + path + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string value = Poco::trim(buffer.str());
  if (value.empty()) throw ConfigError(key, "'" + path + "' is empty");
  return value;
}

Poco::AutoPtr<AbstractConfiguration> openConfigFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw ConfigError("--config", "expected a readable configuration file, but '" + path +
                                      "' does not exist or is not a file");
  }
  std::string ext = Poco::toLower(std::filesystem::path(path).extension().string());
  try {
    if (ext == ".properties") {
      return Poco::AutoPtr<AbstractConfiguration>(new Poco::Util::PropertyFileConfiguration(path));
    }
    if (ext == ".ini") {
      return Poco::AutoPtr<AbstractConfiguration>(new Poco::Util::IniFileConfiguration(path));
    }
  } catch (const Poco::Exception& e) {
    throw ConfigError("--config", "cannot read '" + path + "': " + e.displayText());
  }
  throw ConfigError("--config", "expected a .properties or .ini file, got '" + path + "'");
}

namespace {

// Every key the file may hold, so that a misspelt key is an error instead of a silent default.
const char* const kKnownKeys[] = {"maas.url",
                                  "maas.api_key_file",
                                  "maas.ca_file",
                                  "maas.verify_tls",
                                  "plugins.directories",
                                  "plugins.allow_insecure_permissions",
                                  "store.path",
                                  "api.listen",
                                  "api.token_file",
                                  "api.max_body_bytes",
                                  "api.port_file",
                                  "controller.namespaces",
                                  "controller.workers",
                                  "controller.requeue_interval",
                                  "controller.poll_interval",
                                  "controller.poll_batch_size",
                                  "controller.resync_interval",
                                  "controller.plugin_timeout",
                                  "controller.backoff_base",
                                  "controller.backoff_max",
                                  "log.level",
                                  "log.format"};

void collectKeys(const AbstractConfiguration& c, const std::string& prefix,
                 std::vector<std::string>& out) {
  AbstractConfiguration::Keys keys;
  c.keys(prefix, keys);
  if (keys.empty() && !prefix.empty()) out.push_back(prefix);
  for (const auto& k : keys) collectKeys(c, prefix.empty() ? k : prefix + "." + k, out);
}

void rejectUnknownKeys(const AbstractConfiguration& c) {
  std::vector<std::string> keys;
  collectKeys(c, "", keys);
  for (const auto& key : keys) {
    bool known =
        std::find(std::begin(kKnownKeys), std::end(kKnownKeys), key) != std::end(kKnownKeys);
    // plugin.<name>.config: one JSON object per plugin.
    if (!known && key.rfind("plugin.", 0) == 0 && key.size() > 14 &&
        key.compare(key.size() - 7, 7, ".config") == 0) {
      known = true;
    }
    if (!known) {
      throw ConfigError(key, "unknown key (docs/configuration.md lists every key)");
    }
  }
}

}  // namespace

DaemonConfig loadConfig(const AbstractConfiguration& c,
                        const std::vector<std::string>& defaultPluginDirs,
                        const std::string& baseDir, const EnvLookup& env) {
  rejectUnknownKeys(c);
  auto path = [&](const std::string& key, const std::string& dflt) {
    std::string v = get(c, key, dflt);
    if (v.empty() || baseDir.empty() || std::filesystem::path(v).is_absolute()) return v;
    return (std::filesystem::path(baseDir) / v).lexically_normal().string();
  };
  DaemonConfig d;

  d.maasUrl = get(c, "maas.url", "");
  {
    Poco::URI uri;
    bool ok = false;
    try {
      uri = Poco::URI(d.maasUrl);
      ok = (uri.getScheme() == "http" || uri.getScheme() == "https") && !uri.getHost().empty();
    } catch (const Poco::Exception&) {
    }
    if (!ok) {
      throw ConfigError(
          "maas.url",
          "expected the MAAS region URL, e.g. http://maas.example.com:5240/MAAS, got '" +
              d.maasUrl + "'");
    }
  }
  if (c.hasProperty("maas.api_key_file")) {
    d.maasApiKey = readSecretFile("maas.api_key_file", path("maas.api_key_file", ""));
  } else if (auto key = env("MAAS_API_KEY"); key && !Poco::trim(*key).empty()) {
    d.maasApiKey = Poco::trim(*key);
  } else {
    throw ConfigError("maas.api_key_file",
                      "expected a file (mode 0600) holding the MAAS API key, or the environment "
                      "variable MAAS_API_KEY");
  }
  if (std::count(d.maasApiKey.begin(), d.maasApiKey.end(), ':') != 2) {
    throw ConfigError(c.hasProperty("maas.api_key_file") ? "maas.api_key_file" : "MAAS_API_KEY",
                      "expected a MAAS API key of the form consumer:token:secret");
  }
  d.maasCaFile = path("maas.ca_file", "");
  if (!d.maasCaFile.empty() && !std::filesystem::is_regular_file(d.maasCaFile)) {
    throw ConfigError("maas.ca_file", "expected a PEM file of CA certificates, but '" +
                                          d.maasCaFile + "' does not exist");
  }
  d.maasVerifyTls = getBool(c, "maas.verify_tls", true);

  d.pluginDirectories = defaultPluginDirs;
  if (c.hasProperty("plugins.directories")) {
    d.pluginDirectories.clear();
    for (const auto& dir : getList(c, "plugins.directories")) {
      d.pluginDirectories.push_back(
          baseDir.empty() || std::filesystem::path(dir).is_absolute()
              ? dir
              : (std::filesystem::path(baseDir) / dir).lexically_normal().string());
    }
  }
  if (d.pluginDirectories.empty()) {
    throw ConfigError("plugins.directories", "expected a comma-separated list of directories");
  }
  d.pluginAllowInsecurePermissions = getBool(c, "plugins.allow_insecure_permissions", false);
  AbstractConfiguration::Keys names;
  c.keys("plugin", names);
  for (const auto& name : names) {
    const std::string key = "plugin." + name + ".config";
    if (!c.hasProperty(key)) continue;
    std::string text = get(c, key, "");
    try {
      auto parsed = Poco::JSON::Parser().parse(text);
      if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) throw Poco::Exception("not an object");
    } catch (const Poco::Exception&) {
      throw ConfigError(key, "expected a JSON object, e.g. {\"key\": \"value\"}");
    }
    d.pluginConfigs[name] = text;
  }

  d.storePath = path("store.path", d.storePath);
  if (d.storePath.empty()) throw ConfigError("store.path", "expected the path of the SQLite file");

  d.apiListen = get(c, "api.listen", d.apiListen);
  {
    auto colon = d.apiListen.rfind(':');
    long long port = -1;
    if (colon != std::string::npos && colon > 0) {
      char* end = nullptr;
      std::string p = d.apiListen.substr(colon + 1);
      port = std::strtoll(p.c_str(), &end, 10);
      if (p.empty() || *end != '\0') port = -1;
    }
    if (port < 0 || port > 65535) {
      throw ConfigError("api.listen",
                        "expected HOST:PORT such as 127.0.0.1:5241, got '" + d.apiListen + "'");
    }
  }
  if (c.hasProperty("api.token_file")) {
    d.apiToken = readSecretFile("api.token_file", path("api.token_file", ""));
  } else if (auto token = env("MAASPROV_API_TOKEN"); token && !Poco::trim(*token).empty()) {
    d.apiToken = Poco::trim(*token);
  } else {
    throw ConfigError("api.token_file",
                      "expected a file (mode 0600) holding the API bearer token, or the "
                      "environment variable MAASPROV_API_TOKEN");
  }
  d.apiMaxBodyBytes = static_cast<std::size_t>(
      getInt(c, "api.max_body_bytes", static_cast<long long>(d.apiMaxBodyBytes), 1024, 1LL << 30));

  d.apiPortFile = path("api.port_file", "");

  d.namespaces = getList(c, "controller.namespaces");
  for (const auto& ns : d.namespaces) {
    if (!validLabel(ns)) {
      throw ConfigError(
          "controller.namespaces",
          "expected namespace names (lower-case letters, digits and '-'), got '" + ns + "'");
    }
  }
  d.workers = static_cast<int>(getInt(c, "controller.workers", d.workers, 1, 256));
  d.requeueInterval = getDuration(c, "controller.requeue_interval", d.requeueInterval, false);
  d.pollInterval = getDuration(c, "controller.poll_interval", d.pollInterval, true);
  d.pollBatchSize = static_cast<std::size_t>(
      getInt(c, "controller.poll_batch_size", static_cast<long long>(d.pollBatchSize), 1, 1000));
  d.resyncInterval = getDuration(c, "controller.resync_interval", d.resyncInterval, true);
  d.pluginTimeout = getDuration(c, "controller.plugin_timeout", d.pluginTimeout, false);
  d.backoffBase = getDuration(c, "controller.backoff_base", d.backoffBase, false);
  d.backoffMax = getDuration(c, "controller.backoff_max", d.backoffMax, false);
  if (d.backoffMax < d.backoffBase) {
    throw ConfigError("controller.backoff_max",
                      "expected a duration no shorter than controller.backoff_base");
  }

  d.logLevel = Poco::toLower(get(c, "log.level", d.logLevel));
  if (!isLogLevel(d.logLevel)) {
    throw ConfigError(
        "log.level",
        "expected trace, debug, info, warn, error, critical or off, got '" + d.logLevel + "'");
  }
  d.logFormat = Poco::toLower(get(c, "log.format", d.logFormat));
  if (d.logFormat != "text" && d.logFormat != "json") {
    throw ConfigError("log.format", "expected text or json, got '" + d.logFormat + "'");
  }
  return d;
}

}  // namespace maasprov::daemon
