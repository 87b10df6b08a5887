// CliError: a failure the CLI reports as one line on stderr plus a documented exit code
// (docs/cli.md, "Exit codes"). Every command throws it instead of printing errors itself, so
// main() is the one place that formats errors and chooses the exit status.
//
// Ownership: plain value. Thread-safety: immutable after construction.
#pragma once

#include <stdexcept>
#include <string>

namespace maasprov::cli {

// Exit codes, documented in docs/cli.md. Scripts rely on them: keep them stable.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // rejected, not found, invalid manifest
inline constexpr int kExitUsage = 2;        // unknown command or flag, bad value, bad config
inline constexpr int kExitUnreachable = 3;  // maasprovd could not be reached
inline constexpr int kExitAuth = 4;         // the API token is missing or was refused
inline constexpr int kExitTimeout = 5;      // wait/delete --wait ran out of time

class CliError : public std::runtime_error {
 public:
  CliError(int exitCode, const std::string& message)
      : std::runtime_error(message), exitCode_(exitCode) {}
  int exitCode() const noexcept { return exitCode_; }

 private:
  int exitCode_;
};

// A usage error (exit 2).
inline CliError usageError(const std::string& message) {
  return CliError(kExitUsage, message);
}

}  // namespace maasprov::cli
