#include "framework/store/feed_tail.hpp"

#include <algorithm>

namespace maasprov::store {

void FeedTail::publish(std::uint64_t version, std::vector<Event> events, std::uint64_t compacted) {
  {
    std::lock_guard lock(mutex_);
    committed_ = version;
    for (auto& event : events) events_.push_back(std::move(event));
    while (!events_.empty() &&
           (events_.size() > capacity_ || events_.front().version <= compacted)) {
      events_.pop_front();
    }
  }
  changed_.notify_all();
}

std::optional<std::vector<FeedTail::Event>> FeedTail::after(std::uint64_t after,
                                                            std::size_t max) const {
  std::lock_guard lock(mutex_);
  if (events_.empty() || events_.front().version > after + 1) return std::nullopt;
  auto it = std::upper_bound(events_.begin(), events_.end(), after,
                             [](std::uint64_t v, const Event& e) { return v < e.version; });
  const auto count = std::min<std::size_t>(static_cast<std::size_t>(events_.end() - it), max);
  return std::vector<Event>(it, it + static_cast<std::ptrdiff_t>(count));
}

bool FeedTail::waitBeyond(std::uint64_t cursor, const std::atomic<bool>& stop) const {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return stop || committed_ > cursor; });
  return !stop;
}

void FeedTail::interrupt(std::atomic<bool>& stop) const {
  {
    std::lock_guard lock(mutex_);  // so the waiter cannot miss it between its check and its wait
    stop = true;
  }
  changed_.notify_all();
}

}  // namespace maasprov::store
