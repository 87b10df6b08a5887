// Reading an inventory file into a YAML tree safely, and turning a YAML subtree into JSON values.
//
// Ownership: returns values the caller owns. Thread-safety: pure functions of their inputs.
#pragma once

#include <Poco/Dynamic/Var.h>
#include <yaml-cpp/yaml.h>

#include <string>

namespace maassim {

// The one YAML (or JSON) document in `path`: a regular UTF-8 text file of at most 16 MiB, one
// document, no duplicate keys, aliases only to finished nodes and bounded in expansion. Throws
// InventoryError naming the file, the line and column, and what was expected.
YAML::Node LoadYamlFile(const std::string& path);

// A YAML subtree as JSON values: maps as objects, sequences as arrays, true/false as booleans,
// numbers as doubles, null as empty, everything else as strings.
Poco::Dynamic::Var YamlToVar(const YAML::Node& n);

}  // namespace maassim
