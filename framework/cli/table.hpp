// Plain-text tables as kubectl prints them: upper-case headers, columns padded to the widest
// cell plus three spaces, no borders; and kubectl's short ages ("45s", "3m20s", "5h", "12d").
//
// Ownership: Table owns its cells. Thread-safety: none; use from one thread.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "framework/model/time.hpp"

namespace maasprov::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  void addRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  // Writes the header and every row; the last column is not padded.
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// kubectl's human duration: "45s", "3m20s", "15m", "2h30m", "5h", "3d4h", "12d", "2y".
std::string humanDuration(std::chrono::seconds duration);
// The age of something created at `since`, or "<unknown>" when unset.
std::string ageOf(const std::optional<model::Time>& since, model::Time now);

}  // namespace maasprov::cli
