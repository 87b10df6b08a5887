// Runs the real `maasprov` binary as a child process for tests and captures what a user sees:
// stdout, stderr and the exit code. The environment is isolated: HOME points to a temporary
// directory (so no ~/.config/maasprov/config leaks in) and the MAASPROV_* variables are
// cleared unless a test sets them.
//
// Ownership: CliRunner owns its temporary HOME directory. Thread-safety: run() may be called
// from one thread at a time.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace maasprov::cli::testing {

struct CliResult {
  int exitCode = -1;
  std::string out;
  std::string err;
  // Everything, for assertion messages.
  std::string all() const;
};

class CliRunner {
 public:
  CliRunner();
  ~CliRunner();
  CliRunner(const CliRunner&) = delete;
  CliRunner& operator=(const CliRunner&) = delete;

  // Environment for every later run (on top of the isolated defaults).
  void setEnv(const std::string& name, const std::string& value) { env_[name] = value; }
  const std::filesystem::path& home() const { return home_; }

  CliResult run(const std::vector<std::string>& args, const std::string& stdinText = {}) const;

 private:
  std::filesystem::path home_;
  std::map<std::string, std::string> env_;
};

// Writes `text` to `path` with `mode` (token files must be private).
void writeFile(const std::filesystem::path& path, const std::string& text, int mode = 0600);
std::string readFile(const std::filesystem::path& path);

// The lines of `text`.
std::vector<std::string> lines(const std::string& text);

}  // namespace maasprov::cli::testing
