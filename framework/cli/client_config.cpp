#include "framework/cli/client_config.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <cstdlib>
#include <sstream>

#include "framework/cli/cli_error.hpp"

namespace maasprov::cli {
namespace {

std::string configFilePath(const EnvLookup& env) {
  if (auto xdg = env("XDG_CONFIG_HOME")) return *xdg + "/maasprov/config";
  if (auto home = env("HOME")) return *home + "/.config/maasprov/config";
  return {};
}

struct FileSettings {
  std::optional<std::string> server, token, tokenFile;
};

std::optional<std::string> nonEmpty(std::string value) {
  value = Poco::trim(value);
  if (value.empty()) return std::nullopt;
  return value;
}

FileSettings readConfigFile(const std::string& path) {
  FileSettings s;
  if (path.empty() || !Poco::File(path).exists()) return s;
  Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file;
  try {
    file = new Poco::Util::PropertyFileConfiguration(path);
  } catch (const Poco::Exception& e) {
    throw usageError(path + ": cannot read the config file: " + e.displayText());
  }
  Poco::Util::AbstractConfiguration::Keys keys;
  file->keys(keys);
  for (const auto& key : keys) {
    if (key != "server" && key != "token" && key != "token_file") {
      throw usageError(path + ": unknown key '" + key + "' (expected server, token or token_file)");
    }
  }
  if (file->has("server")) s.server = nonEmpty(file->getRawString("server"));
  if (file->has("token")) s.token = nonEmpty(file->getRawString("token"));
  if (file->has("token_file")) s.tokenFile = nonEmpty(file->getRawString("token_file"));
  return s;
}

// Reads a token file; `required` files must exist (the user named them).
std::optional<std::string> readTokenFile(const std::string& path, const std::string& origin,
                                         bool required) {
  try {
    Poco::File f(path);
    if (!f.exists()) {
      if (!required) return std::nullopt;
      throw usageError(origin + ": token file " + path + " does not exist");
    }
    Poco::FileInputStream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::string token = Poco::trim(text.str());
    if (token.empty()) throw usageError(origin + ": token file " + path + " is empty");
    return token;
  } catch (const Poco::FileAccessDeniedException&) {
    if (!required) return std::nullopt;
    throw usageError(origin + ": token file " + path + " is not readable (permission denied)");
  } catch (const Poco::Exception& e) {
    if (!required) return std::nullopt;
    throw usageError(origin + ": cannot read token file " + path + ": " + e.displayText());
  }
}

}  // namespace

std::optional<std::string> processEnvironment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::string normaliseServer(const std::string& server, const std::string& origin) {
  std::string text = Poco::trim(server);
  if (text.find("://") == std::string::npos) text = "http://" + text;
  Poco::URI uri;
  try {
    uri = Poco::URI(text);
  } catch (const Poco::Exception&) {
    throw usageError(origin + ": expected a URL such as http://127.0.0.1:5241, got '" + server +
                     "'");
  }
  if (uri.getScheme() != "http") {
    throw usageError(origin + ": only http:// is supported (maasprovd serves plain HTTP on " +
                     "loopback), got '" + server + "'");
  }
  if (uri.getHost().empty() || (!uri.getPath().empty() && uri.getPath() != "/") ||
      !uri.getRawQuery().empty()) {
    throw usageError(origin + ": expected a URL such as http://127.0.0.1:5241, got '" + server +
                     "'");
  }
  return "http://" + uri.getAuthority();
}

ClientConfig resolveClientConfig(const ClientFlags& flags, const EnvLookup& env) {
  ClientConfig c;
  c.configFile = configFilePath(env);
  const FileSettings file = readConfigFile(c.configFile);

  if (flags.server) {
    c.server = normaliseServer(*flags.server, "--server");
  } else if (auto s = env("MAASPROV_SERVER")) {
    c.server = normaliseServer(*s, "MAASPROV_SERVER");
  } else if (file.server) {
    c.server = normaliseServer(*file.server, c.configFile + ": server");
  } else {
    c.server = kDefaultServer;
  }

  // One level at a time: the first level that names a token (inline or file) wins.
  struct Level {
    std::optional<std::string> token, tokenFile;
    std::string tokenName, fileName;
  };
  const Level levels[] = {
      {flags.token, flags.tokenFile, "--token", "--token-file"},
      {env("MAASPROV_TOKEN"), env("MAASPROV_TOKEN_FILE"), "MAASPROV_TOKEN", "MAASPROV_TOKEN_FILE"},
      {file.token, file.tokenFile, c.configFile + ": token", c.configFile + ": token_file"},
  };
  for (const auto& level : levels) {
    if (level.token && level.tokenFile) {
      throw usageError("give either " + level.tokenName + " or " + level.fileName + ", not both");
    }
    if (level.token) {
      c.token = Poco::trim(*level.token);
      c.tokenSource = level.tokenName;
      return c;
    }
    if (level.tokenFile) {
      c.token = *readTokenFile(*level.tokenFile, level.fileName, true);
      c.tokenSource = level.fileName + " " + *level.tokenFile;
      return c;
    }
  }
  if (auto token = readTokenFile(kDefaultTokenFile, "default", false)) {
    c.token = *token;
    c.tokenSource = std::string("the default token file ") + kDefaultTokenFile;
  }
  return c;
}

}  // namespace maasprov::cli
