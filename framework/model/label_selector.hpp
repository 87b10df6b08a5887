// Label selectors in kubectl syntax, for listing objects by label (REST API `labelSelector=`,
// CLI `-l`). Requirements are separated by commas and must all hold:
//
//   a=b  a==b   label a exists and equals b
//   a!=b        label a is absent or differs from b
//   a           label a exists          !a   label a is absent
//   a in (x,y)  a exists, value x or y  a notin (x)  a absent or value not x
//
// Keys and values follow the label syntax of name_rules.hpp. The empty selector matches
// everything.
//
// Ownership: a value type. Thread-safety: immutable after parse(), so a selector may be shared
// between threads and matched concurrently.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace maasprov::model {

// what() names the selector and the problem, e.g.
// `invalid label selector "a in (x": expected "," or ")" at position 8`.
class LabelSelectorError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class LabelSelector {
 public:
  enum class Operator { Equals, NotEquals, Exists, DoesNotExist, In, NotIn };

  struct Requirement {
    std::string key;
    Operator op = Operator::Exists;
    std::vector<std::string> values;  // one for Equals/NotEquals, >= 1 for In/NotIn
    bool operator==(const Requirement&) const = default;
  };

  // Throws LabelSelectorError.
  static LabelSelector parse(std::string_view text);

  bool matches(const std::map<std::string, std::string>& labels) const;
  bool empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }
  // Canonical text that parse() reads back into an equal selector, e.g. `a=b,c in (x,y)`.
  std::string str() const;

 private:
  std::vector<Requirement> requirements_;
};

}  // namespace maasprov::model
