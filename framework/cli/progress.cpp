#include "framework/cli/progress.hpp"

#include <Poco/String.h>

#include <cstdio>
#include <ostream>

namespace maasprov::cli {
namespace {

// Phases in the order they are reached, so the summary reads left to right.
const char* const kPhaseOrder[] = {"Ready",  "Provisioning", "Pending",
                                   "Failed", "Deleting",     "Deleted"};

}  // namespace

Progress::Progress(Terminal& terminal, std::string what)
    : terminal_(terminal), what_(std::move(what)), start_(std::chrono::steady_clock::now()) {
  if (!terminal_.errIsTerminal) terminal_.err << "waiting for " << what_ << std::endl;
}

Progress::~Progress() {
  finish();
}

std::string Progress::elapsed() const {
  auto s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start_);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%4llds", static_cast<long long>(s.count()));
  return buf;
}

void Progress::update(const std::vector<ProgressEntry>& entries) {
  if (!terminal_.errIsTerminal) {
    for (const auto& e : entries) {
      auto& last = printed_[e.ref];
      if (last == e.detail) continue;
      last = e.detail;
      terminal_.err << "[" << elapsed() << "] " << e.ref << ": " << e.detail << std::endl;
    }
    return;
  }
  std::map<std::string, int> counts;
  for (const auto& e : entries) counts[e.phase] += 1;
  std::string summary;
  for (const char* phase : kPhaseOrder) {
    auto it = counts.find(phase);
    if (it == counts.end()) continue;
    summary += (summary.empty() ? "" : ", ") + std::to_string(it->second) + " " + phase;
    counts.erase(it);
  }
  for (const auto& [phase, n] : counts) {
    summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + phase;
  }
  // \r and "erase line" redraw the same line; nothing scrolls while waiting.
  terminal_.err << "\r\033[K"
                << "waiting for " << what_ << ": " << summary << "  [" << Poco::trim(elapsed())
                << "]" << std::flush;
  lineOpen_ = true;
}

void Progress::finish() {
  if (lineOpen_) {
    terminal_.err << std::endl;
    lineOpen_ = false;
  }
}

}  // namespace maasprov::cli
