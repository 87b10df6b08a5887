// maasprovd's configuration: defaults, every error naming its key, secret file permissions.
#include "framework/daemon/config.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/Util/MapConfiguration.h>
#include <gtest/gtest.h>

#include "daemon_process.hpp"

namespace maasprov::daemon {
namespace {

using testing::Workdir;
using testing::writeFile;

class ConfigTest : public ::testing::Test {
 protected:
  ConfigTest() : map_(new Poco::Util::MapConfiguration) {
    writeFile(dir_.path("key"), "c:t:s\n");
    writeFile(dir_.path("token"), "  secret-token \n");
    map_->setString("maas.url", "http://127.0.0.1:5240/MAAS");
    map_->setString("maas.api_key_file", "key");
    map_->setString("api.token_file", "token");
  }
  DaemonConfig load() { return loadConfig(*map_, {"/default/plugins"}, dir_.path(""), noEnv); }
  // The ConfigError's key and message of loading the current settings.
  std::pair<std::string, std::string> error() {
    try {
      load();
    } catch (const ConfigError& e) {
      return {e.key(), e.what()};
    }
    return {"", "no error"};
  }
  static std::optional<std::string> noEnv(const std::string&) { return std::nullopt; }

  Workdir dir_;
  Poco::AutoPtr<Poco::Util::MapConfiguration> map_;
};

TEST_F(ConfigTest, DefaultsAreSafeAndDocumented) {
  DaemonConfig c = load();
  EXPECT_EQ(c.apiListen, "127.0.0.1:5241");  // loopback, never all interfaces by default
  EXPECT_EQ(c.storePath, "/var/lib/maasprov/maasprov.db");
  EXPECT_EQ(c.pluginDirectories, std::vector<std::string>{"/default/plugins"});
  EXPECT_FALSE(c.pluginAllowInsecurePermissions);
  EXPECT_TRUE(c.maasVerifyTls);
  EXPECT_TRUE(c.namespaces.empty());
  EXPECT_EQ(c.workers, 32);
  EXPECT_EQ(c.maasMaxConnections, 32);
  EXPECT_EQ(c.pollInterval, std::chrono::seconds(10));
  EXPECT_EQ(c.pollMinInterval, std::chrono::milliseconds(250));
  EXPECT_EQ(c.resyncInterval, std::chrono::minutes(10));
  EXPECT_EQ(c.logLevel, "info");
  EXPECT_EQ(c.logFormat, "text");
  EXPECT_EQ(c.maasApiKey, "c:t:s");
  EXPECT_EQ(c.apiToken, "secret-token");
}

TEST_F(ConfigTest, EveryBadSettingNamesItsKey) {
  struct Case {
    std::string key, value, expectedKey, words;
  };
  const Case cases[] = {
      {"maas.url", "ftp://maas", "maas.url", "expected the MAAS region URL"},
      {"maas.verify_tls", "perhaps", "maas.verify_tls", "expected true or false"},
      {"controller.workers", "0", "controller.workers", "expected an integer from 1 to 256"},
      {"controller.poll_interval", "often", "controller.poll_interval", "expected a duration"},
      {"controller.poll_min_interval", "0s", "controller.poll_min_interval", "greater than 0"},
      {"maas.max_connections", "0", "maas.max_connections", "expected an integer from 1 to 256"},
      {"controller.plugin_timeout", "0s", "controller.plugin_timeout", "greater than 0"},
      {"controller.namespaces", "Team_A", "controller.namespaces", "expected namespace names"},
      {"api.listen", "localhost", "api.listen", "expected HOST:PORT"},
      {"log.level", "loud", "log.level", "expected trace, debug, info"},
      {"log.format", "xml", "log.format", "expected text or json"},
      {"maas.ulr", "http://x", "maas.ulr", "unknown key"},
      {"plugin.lxd.config", "[1]", "plugin.lxd.config", "expected a JSON object"},
      {"maas.ca_file", "missing.pem", "maas.ca_file", "does not exist"},
  };
  for (const auto& c : cases) {
    Poco::AutoPtr<Poco::Util::MapConfiguration> saved(new Poco::Util::MapConfiguration);
    map_->copyTo(*saved);
    map_->setString(c.key, c.value);
    auto [key, message] = error();
    EXPECT_EQ(key, c.expectedKey) << c.key << "=" << c.value << ": " << message;
    EXPECT_NE(message.find(c.words), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
    map_->clear();
    saved->copyTo(*map_);
  }
}

TEST_F(ConfigTest, MissingRequiredSettings) {
  map_->remove("maas.url");
  EXPECT_EQ(error().first, "maas.url");
  map_->setString("maas.url", "https://maas.example.com/MAAS");
  map_->remove("maas.api_key_file");
  EXPECT_EQ(error().first, "maas.api_key_file");
  // MAAS_API_KEY stands in for the file.
  DaemonConfig c = loadConfig(*map_, {"/p"}, dir_.path(""), [](const std::string& name) {
    return name == "MAAS_API_KEY" ? std::optional<std::string>("a:b:c") : std::nullopt;
  });
  EXPECT_EQ(c.maasApiKey, "a:b:c");
  map_->remove("api.token_file");
  map_->setString("maas.api_key_file", "key");
  EXPECT_EQ(error().first, "api.token_file");
}

TEST_F(ConfigTest, SecretFilesReadableByOthersAreRefusedWithoutShowingThem) {
  writeFile(dir_.path("key"), "c:t:s3cr3t\n", 0644);
  auto [key, message] = error();
  EXPECT_EQ(key, "maas.api_key_file");
  EXPECT_NE(message.find("mode 0644"), std::string::npos) << message;
  EXPECT_EQ(message.find("s3cr3t"), std::string::npos);
  writeFile(dir_.path("key"), "c:t:s\n", 0600);
  writeFile(dir_.path("token"), "hunter2\n", 0640);
  std::tie(key, message) = error();
  EXPECT_EQ(key, "api.token_file");
  EXPECT_EQ(message.find("hunter2"), std::string::npos);
  writeFile(dir_.path("token"), "hunter2\n", 0400);
  EXPECT_EQ(load().apiToken, "hunter2");
  writeFile(dir_.path("key"), "not-a-key\n", 0600);
  std::tie(key, message) = error();
  EXPECT_EQ(key, "maas.api_key_file");
  EXPECT_EQ(message.find("not-a-key"), std::string::npos) << message;
}

TEST_F(ConfigTest, DurationsAndRelativePaths) {
  EXPECT_EQ(parseDuration("k", "250ms"), std::chrono::milliseconds(250));
  EXPECT_EQ(parseDuration("k", "0.2"), std::chrono::milliseconds(200));
  EXPECT_EQ(parseDuration("k", "2m"), std::chrono::minutes(2));
  EXPECT_EQ(parseDuration("k", "1h"), std::chrono::hours(1));
  EXPECT_THROW(parseDuration("k", "-1s"), ConfigError);
  EXPECT_THROW(parseDuration("k", "5 parsecs"), ConfigError);
  map_->setString("store.path", "state/db.sqlite");
  map_->setString("plugins.directories", "plugins, /abs/plugins");
  DaemonConfig c = load();
  EXPECT_EQ(c.storePath, dir_.path("state/db.sqlite"));
  EXPECT_EQ(c.pluginDirectories, (std::vector<std::string>{dir_.path("plugins"), "/abs/plugins"}));
}

// The two file forms, read by openConfigFile() (the .ini reader is ours: Poco's keeps the last
// of two equal keys), give the same settings.
TEST(ConfigFile, IniAndPropertiesFormsGiveTheSameSettings) {
  Workdir dir;
  writeFile(dir.path("key"), "c:t:s\n");
  writeFile(dir.path("token"), "tok\n");
  writeFile(dir.path("d.properties"),
            "# comment\nmaas.url = http://m:5240/MAAS\nmaas.api_key_file = key\n"
            "api.token_file: token\ncontroller.workers = \\\n  7\nlog.level = debug\n");
  writeFile(dir.path("d.ini"),
            "; comment\n[maas]\nurl = http://m:5240/MAAS\napi_key_file = key\n[api]\n"
            "token_file = token\n[controller]\nworkers = 7\n[log]\nlevel = debug\n");
  for (const char* name : {"d.properties", "d.ini"}) {
    SCOPED_TRACE(name);
    auto file = openConfigFile(dir.path(name));
    DaemonConfig c =
        loadConfig(*file, {"/p"}, dir.path(""), [](const std::string&) { return std::nullopt; });
    EXPECT_EQ(c.maasUrl, "http://m:5240/MAAS");
    EXPECT_EQ(c.maasApiKey, "c:t:s");
    EXPECT_EQ(c.apiToken, "tok");
    EXPECT_EQ(c.workers, 7);
    EXPECT_EQ(c.logLevel, "debug");
  }
}

}  // namespace
}  // namespace maasprov::daemon
