#include "framework/api/watch_stream.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <sys/socket.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <sstream>
#include <utility>
#include <vector>

#include "framework/api/api_error.hpp"
#include "framework/api/redaction.hpp"

namespace maasprov::api {
namespace {

// A client that stops reading may not hold an unbounded queue of events in our memory.
constexpr std::size_t kMaxBacklog = 1000;
// How often an idle stream checks for shutdown, its timeout and a vanished client.
constexpr auto kPollInterval = std::chrono::milliseconds(100);

struct EventQueue {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<store::WatchEvent> events;
  bool overflowed = false;
};

store::Labels labelsOf(const store::Document& object) {
  store::Labels labels;
  const auto metadata = object->getObject("metadata");
  if (metadata.isNull()) return labels;
  const auto map = metadata->getObject("labels");
  if (map.isNull()) return labels;
  for (const auto& key : map->getNames()) {
    const auto value = map->get(key);
    if (value.isString()) labels[key] = value.extract<std::string>();
  }
  return labels;
}

bool matches(const WatchRequest& watch, const store::Document& object) {
  if (object.isNull() || object->optValue<std::string>("kind", "") != watch.type->kind) {
    return false;
  }
  const auto metadata = object->getObject("metadata");
  if (metadata.isNull()) return false;
  if (watch.ns && metadata->optValue<std::string>("namespace", "") != *watch.ns) return false;
  if (watch.name && metadata->optValue<std::string>("name", "") != *watch.name) return false;
  return !watch.labels || watch.labels(labelsOf(object));
}

std::string eventLine(std::string_view type, const store::Document& object) {
  auto event = Poco::makeShared<Poco::JSON::Object>(Poco::JSON_PRESERVE_KEY_ORDER);
  event->set("type", std::string(type));
  event->set("object", redact(object));
  std::ostringstream out;
  event->stringify(out);
  out << '\n';
  return out.str();
}

// A client that closed its end makes the socket readable with nothing to read.
bool clientGone(Poco::Net::HTTPServerRequest& request) {
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  if (impl == nullptr) return false;
  try {
    auto& socket = impl->socket();
    if (!socket.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) return false;
    char byte = 0;
    return socket.receiveBytes(&byte, 1, MSG_PEEK) <= 0;
  } catch (...) {
    return true;
  }
}

}  // namespace

void runWatch(store::Store& store, const WatchRequest& watch, Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response, const std::atomic<bool>& stopping) {
  auto queue = std::make_shared<EventQueue>();
  auto callback = [queue, filter = watch](const store::WatchEvent& event) {
    if (event.type != store::EventType::Error && !matches(filter, event.object)) return;
    std::lock_guard lock(queue->mutex);
    if (queue->overflowed) return;
    if (queue->events.size() >= kMaxBacklog) {
      queue->overflowed = true;
    } else {
      queue->events.push_back(event);
    }
    queue->ready.notify_one();
  };

  // Subscribe before answering, so an expired resourceVersion is still an ordinary 410.
  std::vector<std::string> initial;
  std::unique_ptr<store::Subscription> subscription;
  try {
    if (!watch.fromVersion || *watch.fromVersion == 0) {
      const auto list = store.list(std::string(watch.type->kind), watch.ns, watch.labels);
      for (const auto& item : list.items) {
        if (matches(watch, item)) initial.push_back(eventLine("ADDED", item));
      }
      subscription = store.watch(list.resourceVersion, callback);
    } else {
      subscription = store.watch(*watch.fromVersion, callback);
    }
  } catch (const store::StoreError& error) {
    throw errorFrom(error);
  }

  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType("application/json;stream=watch");
  response.setChunkedTransferEncoding(true);
  response.setKeepAlive(false);
  std::ostream& out = response.send();
  const auto write = [&out](const std::string& text) {
    out << text;
    out.flush();  // one chunk per event, so clients see it at once
    return out.good();
  };
  out.flush();
  for (const auto& line : initial) {
    if (!write(line)) return;
  }
  const auto deadline = watch.timeout ? std::chrono::steady_clock::now() + *watch.timeout
                                      : std::chrono::steady_clock::time_point::max();
  try {
    while (!stopping.load()) {
      std::deque<store::WatchEvent> batch;
      bool overflowed = false;
      {
        std::unique_lock lock(queue->mutex);
        queue->ready.wait_for(lock, kPollInterval,
                              [&] { return !queue->events.empty() || queue->overflowed; });
        batch.swap(queue->events);
        overflowed = queue->overflowed;
      }
      for (const auto& event : batch) {
        if (!write(eventLine(store::toString(event.type), event.object))) return;
        if (event.type == store::EventType::Error) return;
      }
      if (overflowed) {
        const ApiError behind(410, "Expired",
                              "the watch fell more than " + std::to_string(kMaxBacklog) +
                                  " events behind; list again and watch from the list's "
                                  "resourceVersion");
        write(eventLine("ERROR", statusFor(behind)));
        return;
      }
      if (std::chrono::steady_clock::now() >= deadline) return;
      if (clientGone(request)) return;
    }
  } catch (const std::exception&) {
    // Writing to a client that went away: nothing more to send.
  }
}

}  // namespace maasprov::api
