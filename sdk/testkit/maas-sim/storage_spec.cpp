#include "storage_spec.hpp"

#include <cctype>
#include <stdexcept>

namespace maassim {

namespace {
bool Alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
}  // namespace

std::optional<std::vector<StoragePart>> ParseStorageSpec(const std::string& spec) {
  std::vector<StoragePart> parts;
  size_t i = 0;
  while (true) {
    StoragePart part;
    size_t j = i;
    while (j < spec.size() && Alnum(spec[j])) ++j;
    if (j > i && j < spec.size() && spec[j] == ':') {  // optional "label:"
      part.label = spec.substr(i, j - i);
      i = j + 1;
    }
    size_t start = i;
    while (i < spec.size() && (std::isdigit(static_cast<unsigned char>(spec[i])) || spec[i] == '.'))
      ++i;
    if (i == start) return std::nullopt;  // the size is mandatory
    try {
      size_t used = 0;
      part.size_gb = std::stod(spec.substr(start, i - start), &used);
      if (used != i - start) return std::nullopt;
    } catch (const std::logic_error&) {
      return std::nullopt;
    }
    if (i < spec.size() && spec[i] == '(') {  // optional "(tags)"
      size_t close = spec.find(')', i + 1);
      if (close == std::string::npos || close == i + 1) return std::nullopt;
      part.tags = spec.substr(i + 1, close - i - 1);
      i = close + 1;
    }
    parts.push_back(part);
    if (i == spec.size()) return parts;
    if (spec[i] != ',') return std::nullopt;
    ++i;
  }
}

bool ValidHostname(const std::string& name) {
  if (name.empty() || name.size() > 63 || name.front() == '-' || name.back() == '-') return false;
  for (char c : name)
    if (!Alnum(c) && c != '-') return false;
  return true;
}

}  // namespace maassim
