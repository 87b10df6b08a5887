// updateStatus decided on JSON texts: the common status write without parsing the stored object
// or printing a new one.
//
// A status write is almost always a writer's own document (read from the store, its status
// changed) coming back. Its printed text then differs from the stored text in `status` alone;
// comparing the two texts member by member proves that, and the new stored text is the
// writer's text with the new resourceVersion. Anything else (another member differs, a stale
// resourceVersion, keys printed in another order) is left to rules::planStatusUpdate, which
// decides it on parsed documents with the same outcome; so is every error.
//
// When the write happens, the stored object is `incoming` with the new resourceVersion: a backend
// may hand `incoming` back as the result (Store::updateStatusTaking) instead of parsing the text.
//
// Ownership: nothing is retained or modified. Thread-safety: a pure function of its arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "framework/store/store.hpp"

namespace maasprov::store::rules {

struct TextStatusWrite {
  bool changed = false;  // false: `incoming` already says what is stored; nothing to write
  std::string text;      // when changed: the new stored text
};

// nullopt: decide on parsed documents instead (rules::planStatusUpdate).
std::optional<TextStatusWrite> statusUpdateByText(std::string_view stored, const Document& incoming,
                                                  std::uint64_t resourceVersion);
// The same with `incoming` already printed (rules::serialize): a backend prints it on the
// caller's thread, so that the one thread that writes only compares.
std::optional<TextStatusWrite> statusUpdateByText(std::string_view stored,
                                                  std::string_view incomingText,
                                                  std::uint64_t resourceVersion);

}  // namespace maasprov::store::rules
