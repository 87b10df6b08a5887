// Progress of a long wait (wait, delete --wait): on a terminal one line redrawn in place
// counting objects by phase ("5 maasmachines: 2 Ready, 2 Provisioning, 1 Pending [14s]"); when
// stderr is not a terminal (CI, pipes, logs) one plain line each time an object's state changes.
//
// Ownership: borrows the Terminal. Thread-safety: none; use from one thread.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "framework/cli/command.hpp"

namespace maasprov::cli {

struct ProgressEntry {
  std::string ref;     // maasmachine/cp-0
  std::string phase;   // Pending, Provisioning, Ready, Failed, Deleting, Deleted
  std::string detail;  // phase plus what it is doing, e.g. "Provisioning (MAAS: Deploying)"
};

class Progress {
 public:
  // `what` says what is awaited, e.g. "5 maasmachines to be Ready".
  Progress(Terminal& terminal, std::string what);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(const std::vector<ProgressEntry>& entries);
  // Ends the in-place line so later output starts on a fresh line.
  void finish();

 private:
  std::string elapsed() const;

  Terminal& terminal_;
  std::string what_;
  std::chrono::steady_clock::time_point start_;
  std::map<std::string, std::string> printed_;  // ref -> last detail printed (plain mode)
  bool lineOpen_ = false;
};

}  // namespace maasprov::cli
