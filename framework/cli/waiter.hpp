// Waiting for objects to reach a state (a condition, or being gone): list once, then follow
// the API's watch stream from the list's resourceVersion (docs/api.md, "Watch"), re-listing
// when the server says the version expired. Progress goes to stderr (progress.hpp).
//
// Ownership: borrows the client and terminal for the call. Thread-safety: none.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "framework/cli/api_client.hpp"
#include "framework/cli/command.hpp"
#include "framework/cli/resources.hpp"

namespace maasprov::cli {

struct WaitSpec {
  const ResourceType* type = nullptr;
  std::string ns;                  // empty: every namespace
  std::vector<std::string> names;  // empty: every object the selector matches
  std::string selector;
  bool forDeletion = false;             // else: the condition below
  std::string conditionType = "Ready";  // --for=condition=TYPE[=STATUS]
  std::string conditionStatus = "True";
  std::chrono::milliseconds timeout{300000};
  std::string timeoutText;  // as the user wrote it, for the timeout message ("90s")
};

// "condition=Ready", "condition=Ready=False" or "delete"; a usage CliError otherwise.
void parseWaitFor(const std::string& text, WaitSpec& spec);

// Blocks until every object meets the goal and returns their refs (maasmachine/cp-0), sorted.
// Throws CliError: kExitTimeout naming what is still pending, kExitFailed when nothing matches
// or an awaited object is deleted, and the client's errors.
std::vector<std::string> waitFor(ApiClient& client, const WaitSpec& spec, Terminal& terminal);

}  // namespace maasprov::cli
