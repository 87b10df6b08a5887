// The change feed's most recent committed events, in memory, and the signal watches wait on.
//
// Why: a watch that keeps up with the writes reads each event from here instead of the events
// table (no SQL per event); one further behind reads the table (SqliteStore), so ordering and
// Expired do not depend on this tail. The event texts are shared with every reader, never copied.
//
// Ownership: holds the events it keeps. Thread-safety: every method may be called from any
// thread; waitBeyond blocks until a later version is published or `stop` is set by interrupt().
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "framework/store/store.hpp"

namespace maasprov::store {

class FeedTail {
 public:
  // A committed write as the change feed delivers it.
  struct Event {
    std::uint64_t version;
    EventType type;
    std::shared_ptr<const std::string> document;  // the text as stored
  };

  // Keeps the last `capacity` events; `committed` is the version already committed at opening.
  FeedTail(std::size_t capacity, std::uint64_t committed)
      : capacity_(capacity), committed_(committed) {}

  // After a commit at `version`: its events (oldest first), and the version at and below which
  // the feed was compacted (none of those is kept). Wakes every waiter.
  void publish(std::uint64_t version, std::vector<Event> events, std::uint64_t compacted);

  // Up to `max` events after `after`, oldest first, when the tail reaches back to `after` + 1;
  // nullopt when it does not (read the events table instead).
  std::optional<std::vector<Event>> after(std::uint64_t after, std::size_t max) const;

  // Blocks until a version later than `cursor` is committed (true) or `stop` is set (false).
  bool waitBeyond(std::uint64_t cursor, const std::atomic<bool>& stop) const;
  // Sets `stop` and wakes its waiter.
  void interrupt(std::atomic<bool>& stop) const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;  // guards committed_ and events_
  mutable std::condition_variable changed_;
  std::uint64_t committed_;
  std::deque<Event> events_;
};

}  // namespace maasprov::store
