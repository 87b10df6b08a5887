// maasprovd as a Poco ServerApplication: options (--config, --version, --help, and Poco's
// --daemon/--pidfile/--umask), start-up (config, logger, store, MAAS client, plugins, metrics,
// controller, REST API), signal handling (SIGTERM/SIGINT stop, SIGHUP reloads the log level)
// and an orderly shutdown.
//
// Ownership: the application owns every part it starts, for the duration of main().
// Thread-safety: Poco calls the overrides on the main thread; signals are taken with sigwait()
// on the main thread only (every other thread inherits a mask blocking them).
#pragma once

#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>

#include <string>
#include <vector>

namespace maasprov::daemon {

class DaemonApp : public Poco::Util::ServerApplication {
 public:
  // `startDirectory`: the working directory at process start. --daemon changes to "/" before
  // options are read, so a relative --config is resolved against this instead.
  explicit DaemonApp(std::string startDirectory) : startDirectory_(std::move(startDirectory)) {}

 protected:
  void defineOptions(Poco::Util::OptionSet& options) override;
  void handleOption(const std::string& name, const std::string& value) override;
  int main(const std::vector<std::string>& args) override;

 private:
  int serve(const std::string& configPath);
  std::vector<std::string> defaultPluginDirectories() const;

  std::string startDirectory_;
  std::string configPath_;
  bool helpRequested_ = false;
  bool versionRequested_ = false;
};

}  // namespace maasprov::daemon
