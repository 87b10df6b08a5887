// Runs one conformance scenario in a forked child process, so that a plugin that crashes,
// exits or hangs is reported as such instead of taking the checker down.
//
// Ownership: none. Thread-safety: call from a single-threaded parent only (fork()).
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace maasprov::check {

enum class Verdict { Pass, Fail, Skip, Crash, Timeout };
const char* verdictName(Verdict v);

struct Outcome {
  Verdict verdict = Verdict::Pass;
  std::string detail;
};

// Runs `body` in a child; its Outcome travels back through a pipe. A child killed by a signal,
// exiting without a verdict, or running past `timeout` (then killed) yields Crash/Timeout.
Outcome runInChild(const std::function<Outcome()>& body, std::chrono::seconds timeout);

}  // namespace maasprov::check
