// The elements of a JSON array's text, found by following strings and brackets only: the
// status poller's first pass over MAAS's answers.
//
// Why: most machines in a poll answer are byte for byte what the last look saw, and those texts
// were checked then; checking every byte of every answer again (json::arrayElements) was a
// third of the poller's CPU. The poller checks (json::objectMembers) every element it has not
// seen before, so nothing unchecked is ever read. Anything this pass cannot split cleanly (an
// unbalanced bracket, an unterminated string, something after the array) makes it return
// nullopt, and the caller falls back to the checking split, which says what is wrong.
//
// Ownership: the views borrow `text`. Thread-safety: a pure function.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace maasprov::controller {

// Each element's text (surrounding white space trimmed) of `text` if it is an array whose
// brackets and strings balance; nullopt otherwise. An element itself is not checked.
std::optional<std::vector<std::string_view>> splitArrayUnchecked(std::string_view text);

}  // namespace maasprov::controller
