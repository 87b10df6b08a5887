#include "framework/cli/table.hpp"

#include <algorithm>

namespace maasprov::cli {

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::addRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (auto& c : cells) {
    if (c.empty()) c = "-";  // an empty cell would shift the columns when read by eye or awk
  }
  rows_.push_back(std::move(cells));
}

void Table::print(std::ostream& out) const {
  std::vector<std::size_t> widths(headers_.size());
  for (std::size_t i = 0; i < headers_.size(); ++i) widths[i] = headers_[i].size();
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      text += cells[i];
      if (i + 1 < cells.size()) text += std::string(widths[i] - cells[i].size() + 3, ' ');
    }
    out << text << '\n';
  };
  line(headers_);
  for (const auto& row : rows_) line(row);
}

std::string humanDuration(std::chrono::seconds duration) {
  long long s = std::max<long long>(0, duration.count());
  auto str = [](long long v, const char* unit) { return std::to_string(v) + unit; };
  if (s < 120) return str(s, "s");
  long long m = s / 60;
  if (m < 10) return s % 60 == 0 ? str(m, "m") : str(m, "m") + str(s % 60, "s");
  if (m < 180) return str(m, "m");
  long long h = m / 60;
  if (h < 8) return m % 60 == 0 ? str(h, "h") : str(h, "h") + str(m % 60, "m");
  if (h < 48) return str(h, "h");
  long long d = h / 24;
  if (d < 8) return h % 24 == 0 ? str(d, "d") : str(d, "d") + str(h % 24, "h");
  if (d < 730) return str(d, "d");
  return str(d / 365, "y");
}

std::string ageOf(const std::optional<model::Time>& since, model::Time now) {
  if (!since) return "<unknown>";
  return humanDuration(now - *since);
}

}  // namespace maasprov::cli
