// maasprovd: the maasprov controller daemon (docs/configuration.md, docs/controller.md).
#include <filesystem>
#include <iostream>
#include <system_error>

#include "framework/daemon/daemon_app.hpp"

int main(int argc, char** argv) {
  std::error_code ec;
  std::string start = std::filesystem::current_path(ec).string();
  try {
    maasprov::daemon::DaemonApp app(start);
    return app.run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "maasprovd: " << e.what() << std::endl;
    return 70;  // EX_SOFTWARE
  }
}
