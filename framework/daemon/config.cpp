#include "framework/daemon/config.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/URI.h>
#include <Poco/Util/MapConfiguration.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
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

namespace {

// Closes a file descriptor when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string octalMode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "0%o", static_cast<unsigned>(mode & 07777));
  return text;
}

std::string userName(uid_t uid) {
  const passwd* pw = ::getpwuid(uid);
  return pw ? "'" + std::string(pw->pw_name) + "'" : "uid " + std::to_string(uid);
}

std::string groupName(gid_t gid) {
  const group* gr = ::getgrgid(gid);
  return gr ? std::string(gr->gr_name) : std::to_string(gid);
}

// Length of the UTF-8 sequence starting at text[i], or 0 when it is not valid UTF-8
// (overlong forms, surrogates and code points past U+10FFFF are invalid too).
std::size_t utf8Length(const std::string& text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned min;
  unsigned cp;
  if ((c & 0xE0) == 0xC0) {
    n = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::string printable(const std::string& text) {
  constexpr std::size_t kMax = 512;
  std::string out;
  std::size_t i = 0;
  while (i < text.size() && out.size() < kMax) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = utf8Length(text, i);
    if (n == 0 || c < 0x20 || c == 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", c);
      out += escaped;
      ++i;
    } else {
      out.append(text, i, n);
      i += n;
    }
  }
  if (i < text.size()) out += "... (" + std::to_string(text.size() - i) + " more bytes)";
  return out;
}

void checkFileAccess(const std::string& key, const std::string& path, const struct stat& st,
                     FileAccess access) {
  if (S_ISDIR(st.st_mode)) throw ConfigError(key, "'" + path + "' is a directory, not a file");
  if (!S_ISREG(st.st_mode)) throw ConfigError(key, "'" + path + "' is not a regular file");
  // Whoever owns the file can rewrite it: for the configuration that means choosing the plugin
  // directories, i.e. running code as the daemon.
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    throw ConfigError(key, "'" + path + "' is owned by " + userName(st.st_uid) +
                               "; expected a file owned by root or by the daemon's user " +
                               userName(::geteuid()));
  }
  const mode_t others = st.st_mode & (S_IRWXG | S_IRWXO);
  const bool ownGroup = st.st_gid == ::getegid();
  if (access == FileAccess::OwnerOnly || (others & ~S_IRGRP) != 0) {
    if (others == 0) return;
    const std::string expected =
        access == FileAccess::OwnerOnly
            ? "expected mode 0600 or 0400 (chmod 600 " + path + ")"
            : "expected mode 0600, or 0640 when its group is the daemon's group '" +
                  groupName(::getegid()) + "' (chmod " + (ownGroup ? "640 " : "600 ") + path + ")";
    throw ConfigError(key, "'" + path + "' is accessible by group or others (mode " +
                               octalMode(st.st_mode) + "); " + expected);
  }
  if (others == S_IRGRP && !ownGroup) {
    throw ConfigError(key, "'" + path + "' is readable by group '" + groupName(st.st_gid) +
                               "' (mode " + octalMode(st.st_mode) +
                               "), which is not the daemon's group '" + groupName(::getegid()) +
                               "'; expected mode 0600, or 0640 with group '" +
                               groupName(::getegid()) + "' (chmod 600 " + path + ")");
  }
}

std::string readPrivateFile(const std::string& key, const std::string& path, FileAccess access,
                            std::size_t maxBytes) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) {
    const int error = errno;
    if (error == ENOENT) throw ConfigError(key, "'" + path + "' does not exist");
    throw ConfigError(key, "cannot read '" + path + "': " + std::strerror(error));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    throw ConfigError(key, "cannot read '" + path + "': " + std::strerror(errno));
  }
  checkFileAccess(key, path, st, access);
  if (static_cast<unsigned long long>(st.st_size) > maxBytes) {
    throw ConfigError(key, "'" + path + "' is " + std::to_string(st.st_size) +
                               " bytes; expected at most " + std::to_string(maxBytes));
  }
  std::string text;
  char buffer[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw ConfigError(key, "cannot read '" + path + "': " + std::strerror(errno));
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    // The file may grow between fstat() and here.
    if (text.size() > maxBytes) {
      throw ConfigError(key, "'" + path + "' is more than " + std::to_string(maxBytes) +
                                 " bytes; expected at most " + std::to_string(maxBytes));
    }
  }
  return text;
}

std::string readSecretFile(const std::string& key, const std::string& path) {
  std::string value =
      Poco::trim(readPrivateFile(key, path, FileAccess::OwnerOnly, kMaxSecretFileBytes));
  if (value.empty()) throw ConfigError(key, "'" + path + "' is empty");
  return value;
}

namespace {

// A key the daemon could know: letters, digits, '_', '-' in dot-separated parts. Anything else
// is refused before Poco's key enumeration (recursive, one level per dot) ever sees it.
bool plausibleKey(const std::string& key) {
  if (key.empty() || key.size() > 128 || key.front() == '.' || key.back() == '.') return false;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (c == '.' && key[i + 1] == '.') return false;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

void checkNewKey(const std::string& key, std::set<std::string>& seen) {
  if (!plausibleKey(key)) {
    const std::string shown =
        key.empty()       ? "(empty key)"
        : key.size() > 64 ? key.substr(0, 64) + "... (" + std::to_string(key.size()) + " bytes)"
                          : key;
    throw ConfigError(shown, "unknown key (docs/configuration.md lists every key)");
  }
  if (!seen.insert(key).second) {
    throw ConfigError(key, "set more than once; expected each key at most once");
  }
}

// Poco's .properties parser keeps the last of two equal keys without a word; this one refuses
// them. PropertyFileConfiguration::load() calls setRaw() once per key.
class StrictPropertyFile : public Poco::Util::PropertyFileConfiguration {
 public:
  void parse(const std::string& text) {
    std::istringstream in(text);
    loading_ = true;
    load(in);
    loading_ = false;
  }
  bool empty() const { return seen_.empty(); }

 protected:
  void setRaw(const std::string& key, const std::string& value) override {
    if (loading_) checkNewKey(key, seen_);
    Poco::Util::PropertyFileConfiguration::setRaw(key, value);
  }

 private:
  bool loading_ = false;
  std::set<std::string> seen_;
};

// The .ini format exactly as Poco's IniFileConfiguration reads it ("[section]" lines, "key =
// value", ';' comments, key = section.key), but refusing a key set twice and case-sensitive
// like the .properties form.
Poco::AutoPtr<Poco::Util::MapConfiguration> parseIni(const std::string& text, bool& empty) {
  Poco::AutoPtr<Poco::Util::MapConfiguration> conf(new Poco::Util::MapConfiguration);
  std::set<std::string> seen;
  std::istringstream in(text);
  std::string section;
  for (std::string line; std::getline(in, line);) {
    std::string trimmed = Poco::trim(line);
    if (trimmed.empty() || trimmed[0] == ';') continue;
    if (trimmed[0] == '[') {
      section = Poco::trim(trimmed.substr(1, trimmed.find(']') - 1));
      continue;
    }
    const auto eq = trimmed.find('=');
    std::string key = Poco::trim(trimmed.substr(0, eq));
    if (!section.empty()) key = section + "." + key;
    checkNewKey(key, seen);
    conf->setString(key, eq == std::string::npos ? "" : Poco::trim(trimmed.substr(eq + 1)));
  }
  empty = seen.empty();
  return conf;
}

// Refuses what is not UTF-8 text; NUL and control characters other than tab, CR and LF too.
void checkText(const std::string& path, const std::string& text) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = utf8Length(text, i);
    if (n == 0 || (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7F) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02X", c);
      throw ConfigError("--config", "'" + path + "' line " + std::to_string(line) + ": byte " +
                                        byte +
                                        (n == 0 ? " is not UTF-8" : " is a control character") +
                                        "; expected a UTF-8 text file");
    }
    if (c == '\n') ++line;
    i += n;
  }
}

}  // namespace

Poco::AutoPtr<AbstractConfiguration> openConfigFile(const std::string& path) {
  std::string ext = Poco::toLower(std::filesystem::path(path).extension().string());
  std::string text =
      readPrivateFile("--config", path, FileAccess::OwnerAndDaemonGroup, kMaxConfigFileBytes);
  if (ext != ".properties" && ext != ".ini") {
    throw ConfigError("--config", "expected a .properties or .ini file, got '" + path + "'");
  }
  checkText(path, text);
  Poco::AutoPtr<AbstractConfiguration> config;
  bool empty = true;
  try {
    if (ext == ".properties") {
      Poco::AutoPtr<StrictPropertyFile> file(new StrictPropertyFile);
      file->parse(text);
      empty = file->empty();
      config = file;
    } else {
      config = parseIni(text, empty);
    }
  } catch (const Poco::Exception& e) {
    throw ConfigError("--config", "cannot read '" + path + "': " + e.displayText());
  }
  if (empty) {
    throw ConfigError("--config", "'" + path +
                                      "' holds no settings; expected at least maas.url "
                                      "(docs/configuration.md lists every key)");
  }
  return config;
}

namespace {

// Every key the file may hold, so that a misspelt key is an error instead of a silent default.
const char* const kKnownKeys[] = {"maas.url",
                                  "maas.api_key_file",
                                  "maas.ca_file",
                                  "maas.verify_tls",
                                  "maas.max_connections",
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
                                  "controller.poll_min_interval",
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
  d.maasMaxConnections =
      static_cast<int>(getInt(c, "maas.max_connections", d.maasMaxConnections, 1, 256));

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
  d.pollMinInterval = getDuration(c, "controller.poll_min_interval", d.pollMinInterval, false);
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
