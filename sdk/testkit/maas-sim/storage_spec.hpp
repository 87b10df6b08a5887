// Parsers for two small MAAS syntaxes shared by allocate and compose: the storage constraint
// "label:sizeGB(tag,tag),..." (STORAGE_REGEX in node_constraint_filter_forms.py) and hostnames.
//
// Ownership: returns values. Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace maassim {

struct StoragePart {
  std::string label;  // may be empty
  double size_gb = 0;
  std::string tags;  // the text between parentheses, may be empty
};

// nullopt when `spec` is not exactly a comma-separated list of parts, as MAAS rejects it with
// `Malformed storage constraint, "spec".`
std::optional<std::vector<StoragePart>> ParseStorageSpec(const std::string& spec);

// RFC 1123 label as MAAS validates hostnames: letters, digits and inner hyphens, 1-63 chars.
bool ValidHostname(const std::string& name);

}  // namespace maassim
