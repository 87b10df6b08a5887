// Reads values out of a YAML tree while remembering the path, so every error names the file,
// the path inside it (machines[3].cores) and what was expected.
//
// Ownership: YamlReader keeps only the file name. Thread-safety: stateless after construction.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "inventory.hpp"

namespace maassim {

// Walks the YAML tree while remembering where it is, so every error names file and path.
class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void Fail(const std::string& path, const std::string& expected,
                         const YAML::Node& got = YAML::Node()) const {
    std::string msg =
        file_ + ": " + (path.empty() ? "(top level)" : path) + ": expected " + expected;
    if (got.IsDefined() && got.IsScalar())
      msg += ", got '" + got.Scalar() + "'";
    else if (got.IsDefined() && got.IsSequence())
      msg += ", got a list";
    else if (got.IsDefined() && got.IsMap())
      msg += ", got a mapping";
    throw InventoryError(msg);
  }

  std::string Str(const YAML::Node& n, const std::string& path, const std::string& def = "",
                  bool required = false) const {
    if (!n.IsDefined() || n.IsNull()) {
      if (required) Fail(path, "a string (required)");
      return def;
    }
    if (!n.IsScalar()) Fail(path, "a string", n);
    return n.Scalar();
  }

  int64_t Int(const YAML::Node& n, const std::string& path, int64_t def, int64_t min = 0,
              bool required = false) const {
    if (!n.IsDefined() || n.IsNull()) {
      if (required) Fail(path, "an integer (required)");
      return def;
    }
    if (!n.IsScalar()) Fail(path, "an integer", n);
    try {
      size_t used = 0;
      int64_t v = std::stoll(n.Scalar(), &used);
      if (used != n.Scalar().size()) Fail(path, "an integer", n);
      if (v < min) Fail(path, "an integer >= " + std::to_string(min), n);
      return v;
    } catch (const std::logic_error&) {
      Fail(path, "an integer", n);
    }
  }

  double Num(const YAML::Node& n, const std::string& path, double def, double min = 0) const {
    if (!n.IsDefined() || n.IsNull()) return def;
    if (!n.IsScalar()) Fail(path, "a number", n);
    try {
      size_t used = 0;
      double v = std::stod(n.Scalar(), &used);
      if (used != n.Scalar().size() || !std::isfinite(v)) Fail(path, "a number", n);
      if (v < min) Fail(path, "a number >= " + std::to_string(min), n);
      return v;
    } catch (const std::logic_error&) {
      Fail(path, "a number", n);
    }
  }

  bool Bool(const YAML::Node& n, const std::string& path, bool def) const {
    if (!n.IsDefined() || n.IsNull()) return def;
    if (!n.IsScalar()) Fail(path, "true or false", n);
    const std::string& s = n.Scalar();
    if (s == "true" || s == "True" || s == "yes") return true;
    if (s == "false" || s == "False" || s == "no") return false;
    Fail(path, "true or false", n);
  }

  std::vector<std::string> StrList(const YAML::Node& n, const std::string& path) const {
    std::vector<std::string> out;
    if (!n.IsDefined() || n.IsNull()) return out;
    if (!n.IsSequence()) Fail(path, "a list of strings", n);
    for (size_t i = 0; i < n.size(); ++i)
      out.push_back(Str(n[i], path + "[" + std::to_string(i) + "]", "", true));
    return out;
  }

  // A list of mappings; an absent key is an empty list.
  YAML::Node Seq(const YAML::Node& n, const std::string& path) const {
    if (!n.IsDefined() || n.IsNull()) return YAML::Node(YAML::NodeType::Sequence);
    if (!n.IsSequence()) Fail(path, "a list", n);
    for (size_t i = 0; i < n.size(); ++i)
      if (!n[i].IsMap()) Fail(path + "[" + std::to_string(i) + "]", "a mapping", n[i]);
    return n;
  }

  void OnlyKeys(const YAML::Node& n, const std::string& path,
                const std::set<std::string>& allowed) const {
    for (const auto& kv : n) {
      std::string key = kv.first.Scalar();
      if (!allowed.count(key)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        Fail(path.empty() ? key : path + "." + key, "one of the known keys (" + list + ")");
      }
    }
  }

 private:
  std::string file_;
};

}  // namespace maassim
