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
#include <sstream>
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
      msg += ", got '" + Printable(got.Scalar()) + "'";
    else if (got.IsDefined() && got.IsSequence())
      msg += ", got a list";
    else if (got.IsDefined() && got.IsMap())
      msg += ", got a mapping";
    throw InventoryError(msg);
  }

  // A value quoted in a one-line message: control bytes escaped, long values cut.
  static std::string Printable(const std::string& text) {
    constexpr size_t kMax = 80;
    std::string out;
    for (size_t i = 0; i < text.size() && i < kMax; ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c < 0x20 || c == 0x7F) {
        static const char kHex[] = "0123456789ABCDEF";
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      } else {
        out += static_cast<char>(c);
      }
    }
    if (text.size() > kMax) out += "... (" + std::to_string(text.size()) + " bytes)";
    return out;
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

  // Integers are bounded so that every one fits the int the simulator keeps (cores, ids, ttl).
  static constexpr int64_t kMaxInt = 2147483647;
  // Numbers too: sizes in GB become bytes in a uint64_t.
  static constexpr double kMaxNum = 1e9;

  int64_t Int(const YAML::Node& n, const std::string& path, int64_t def, int64_t min = 0,
              bool required = false) const {
    if (!n.IsDefined() || n.IsNull()) {
      if (required) Fail(path, "an integer (required)");
      return def;
    }
    const std::string range =
        "an integer from " + std::to_string(min) + " to " + std::to_string(kMaxInt);
    if (!n.IsScalar()) Fail(path, range, n);
    int64_t v = 0;
    try {
      size_t used = 0;
      v = std::stoll(n.Scalar(), &used);
      if (used != n.Scalar().size()) Fail(path, range, n);
    } catch (const std::logic_error&) {  // not a number, or out of int64_t's range
      Fail(path, range, n);
    }
    if (v < min || v > kMaxInt) Fail(path, range, n);
    return v;
  }

  double Num(const YAML::Node& n, const std::string& path, double def, double min = 0) const {
    if (!n.IsDefined() || n.IsNull()) return def;
    std::ostringstream range;
    range << "a number from " << min << " to " << kMaxNum;
    if (!n.IsScalar()) Fail(path, range.str(), n);
    double v = 0;
    try {
      size_t used = 0;
      v = std::stod(n.Scalar(), &used);
      if (used != n.Scalar().size()) Fail(path, range.str(), n);
    } catch (const std::logic_error&) {
      Fail(path, range.str(), n);
    }
    if (!std::isfinite(v) || v < min || v > kMaxNum) Fail(path, range.str(), n);
    return v;
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
