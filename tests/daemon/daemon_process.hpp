// Runs the real maasprovd binary for tests: a temporary directory with a config file and 0600
// secret files, the process started through /bin/sh so that its stderr goes to a file, and
// helpers to wait for it, signal it and read its port file.
//
// Ownership: DaemonProcess owns the child (SIGKILLed if still running on destruction) and its
// directory. Thread-safety: use from one thread.
#pragma once

#include <Poco/Process.h>
#include <Poco/TemporaryFile.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace maasprov::daemon::testing {

inline std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void writeFile(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
}

class Workdir {
 public:
  Workdir() : dir_(Poco::TemporaryFile::tempName()) { std::filesystem::create_directories(dir_); }
  ~Workdir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

class DaemonProcess {
 public:
  // Starts `maasprovd <args>` with stderr to `stderrFile`; `binary` is this build's maasprovd
  // unless given (the benchmarks' A/B runs start another build's).
  DaemonProcess(const std::vector<std::string>& args, std::string stderrFile,
                const std::string& binary = MAASPROVD_BINARY)
      : stderr_(std::move(stderrFile)) {
    std::string cmd = "exec '" + binary + "'";
    for (const auto& a : args) cmd += " '" + a + "'";
    cmd += " 2>'" + stderr_ + "'";
    handle_.emplace(Poco::Process::launch("/bin/sh", {"-c", cmd}));
  }
  ~DaemonProcess() {
    if (running()) {
      ::kill(handle_->id(), SIGKILL);
      waitExit(std::chrono::seconds(10));
    }
  }
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  int pid() const { return handle_->id(); }
  bool running() {
    if (exit_) return false;
    int status = 0;
    pid_t r = ::waitpid(handle_->id(), &status, WNOHANG);
    if (r == 0) return true;
    exit_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  // The exit code (128 + signal for a signal), or nullopt if still running after `limit`.
  std::optional<int> waitExit(std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return exit_;
  }
  void signal(int sig) { ::kill(handle_->id(), sig); }
  std::string stderrText() const { return readFile(stderr_); }

 private:
  std::optional<Poco::ProcessHandle> handle_;
  std::string stderr_;
  std::optional<int> exit_;
};

// Waits for `path` to hold a port number; 0 when it does not within `limit`.
inline int waitForPortFile(const std::string& path, DaemonProcess& process,
                           std::chrono::milliseconds limit = std::chrono::seconds(15)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline && process.running()) {
    std::ifstream in(path);
    int port = 0;
    if (in >> port && port > 0) return port;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}

}  // namespace maasprov::daemon::testing
