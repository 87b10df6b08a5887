// The texts of recently committed documents, by key: what SqliteStore::get() reads instead of
// SQLite. A read connection's page cache is dropped whenever another connection commits (WAL),
// so under a steady stream of writes every get() re-read its B-tree pages from the files; the
// writer already holds the text it just committed.
//
// Coherent by construction: only the writer fills it, after a commit and before the writes'
// callers return, and a deletion forgets its key. A read that misses goes to SQLite and adds
// nothing, so a read racing a commit can never put an older text back.
//
// Bounded by the bytes of the texts it holds (least recently used evicted first), so it costs a
// fixed amount of memory whatever the number of objects.
//
// Ownership: texts are shared with the change feed's tail and handed out as shared pointers to
// immutable strings. Thread-safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "framework/store/errors.hpp"

namespace maasprov::store {

class RecentDocuments {
 public:
  using Text = std::shared_ptr<const std::string>;

  // `maxBytes` 0 holds nothing.
  explicit RecentDocuments(std::size_t maxBytes) : maxBytes_(maxBytes) {}

  // The text committed last for `key`, or null when it is not held.
  Text find(const ObjectKey& key);
  // `key` now reads `text` (committed); null forgets it (deleted).
  void put(const ObjectKey& key, Text text);

  std::size_t bytes() const;
  std::size_t size() const;

 private:
  struct Entry {
    std::string key;
    Text text;
  };
  static std::string flatKey(const ObjectKey& key);
  void eraseLocked(std::list<Entry>::iterator it);

  const std::size_t maxBytes_;
  mutable std::mutex mutex_;  // guards everything below
  std::list<Entry> order_;    // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::size_t bytes_ = 0;
};

}  // namespace maasprov::store
