// Reusable launcher for the real maas-sim binary in tests: starts it on an ephemeral loopback
// port, waits for its port file, and stops it with SIGTERM when destroyed.
//
// Usage:
//   maassim::testing::SimProcess sim(SimProcess::Yaml(yaml, {"--deploy-seconds", "0.2"}));
//   sim.port(); sim.api_root();  // "/MAAS/api/2.0/"
//
// The binary path comes from Options::binary, else the MAAS_SIM_BINARY compile definition, else
// the MAAS_SIM_BINARY environment variable.
//
// Ownership: SimProcess owns the child process and its temporary directory (inventory, port
// file, captured stderr) and a thread draining the simulator's stderr; all are cleaned up in
// the destructor.
// Thread-safety: construct and destroy on one thread; port()/base_url() are const and safe to
// read from any thread while the object lives.
#pragma once

#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace maassim::testing {

class SimProcess {
 public:
  struct Options {
    std::string inventory_yaml;  // written to a temporary file unless inventory_path is set
    std::string inventory_path;  // an existing inventory file
    std::vector<std::string> extra_args;  // e.g. {"--deploy-seconds", "0.2"}
    std::string binary;                   // defaults to MAAS_SIM_BINARY
    std::chrono::milliseconds start_timeout{10000};
  };

  // Options for an inline YAML inventory plus extra command-line arguments.
  static Options Yaml(std::string inventory_yaml, std::vector<std::string> extra_args = {}) {
    Options o;
    o.inventory_yaml = std::move(inventory_yaml);
    o.extra_args = std::move(extra_args);
    return o;
  }

  explicit SimProcess(Options opts) : dir_(Poco::TemporaryFile::tempName()) {
    Poco::File(dir_).createDirectories();
    std::string inventory = opts.inventory_path;
    if (inventory.empty()) {
      inventory = dir_ + "/inventory.yaml";
      std::ofstream(inventory) << opts.inventory_yaml;
    }
    std::string port_file = dir_ + "/port";
    std::vector<std::string> args = {"--inventory", inventory,     "--listen",
                                     "127.0.0.1:0", "--port-file", port_file};
    args.insert(args.end(), opts.extra_args.begin(), opts.extra_args.end());
    Poco::Pipe err;
    handle_.emplace(Poco::Process::launch(Binary(opts.binary), args, nullptr, nullptr, &err));
    err_stream_ = std::make_unique<Poco::PipeInputStream>(err);
    // Drain stderr continuously so a chatty simulator (--log-requests) never blocks on the pipe.
    drain_ = std::thread([this] {
      std::string line;
      while (std::getline(*err_stream_, line)) {
        std::lock_guard lock(mu_);
        stderr_ += line + "\n";
      }
    });
    auto deadline = std::chrono::steady_clock::now() + opts.start_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(port_file);
      if (in >> port_) return;
      if (int rc = handle_->tryWait(); rc != -1) {  // exited (and reaped) before listening
        exit_code_ = rc;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::string output = Stop();
    throw std::runtime_error("maas-sim did not start: " + output);
  }

  ~SimProcess() {
    try {
      Stop();
      Poco::File(dir_).remove(true);
    } catch (...) {
    }
  }

  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  unsigned short port() const { return port_; }
  // The simulator's process id (0 once stopped): the benchmarks read its CPU beside the daemon's.
  int pid() const { return handle_ ? handle_->id() : 0; }
  std::string host() const { return "127.0.0.1"; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  static std::string api_root() { return "/MAAS/api/2.0/"; }
  // The default API key maas-sim accepts (docs/maas-sim.md).
  static std::string default_api_key() { return "maasprov:sim:secret"; }

  // Sends SIGTERM, waits for exit and returns everything the simulator wrote to stderr.
  std::string Stop() {
    if (!handle_) {
      std::lock_guard lock(mu_);
      return stderr_;
    }
    if (!exit_code_) {
      Poco::Process::requestTermination(handle_->id());
      exit_code_ = handle_->wait();
    }
    handle_.reset();
    if (drain_.joinable()) drain_.join();  // ends at EOF, once the simulator has exited
    std::lock_guard lock(mu_);
    return stderr_;
  }
  std::optional<int> exit_code() const { return exit_code_; }

  static std::string Binary(const std::string& given) {
    if (!given.empty()) return given;
#ifdef MAAS_SIM_BINARY
    return MAAS_SIM_BINARY;
#else
    if (const char* env = std::getenv("MAAS_SIM_BINARY")) return env;
    throw std::runtime_error("set MAAS_SIM_BINARY to the maas-sim executable");
#endif
  }

 private:
  std::string dir_;
  std::optional<Poco::ProcessHandle> handle_;
  std::unique_ptr<Poco::PipeInputStream> err_stream_;
  std::thread drain_;
  std::mutex mu_;  // guards stderr_
  std::string stderr_;
  unsigned short port_ = 0;
  std::optional<int> exit_code_;
};

}  // namespace maassim::testing
