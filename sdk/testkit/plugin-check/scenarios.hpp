// The conformance suite of maasprov-plugin-check: named scenarios, each run in its own child
// process by the caller. See docs/plugin-authoring.md ("What the kit checks") for the rules.
//
// Ownership: plain values. Thread-safety: the list is immutable.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "child.hpp"
#include "harness.hpp"

namespace maasprov::check {

struct Scenario {
  std::string name;
  // "": never uses MAAS; "maas": skipped (and said so) without --maas-url; "maas-if-given":
  // uses the MAAS when given, an unreachable stand-in otherwise.
  std::string needs;
  std::function<Outcome(const Settings&)> run;
};

const std::vector<Scenario>& scenarios();

}  // namespace maasprov::check
