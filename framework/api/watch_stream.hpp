// WatchStream: one `?watch=1` request, streamed as JSON lines over a chunked response.
//
// Each line is {"type":"ADDED"|"MODIFIED"|"DELETED"|"ERROR","object":{...}} (user data
// redacted). Without a resourceVersion (or with "0") the stream starts with an ADDED event for
// every object that currently matches, then follows changes; with resourceVersion=N it
// delivers every matching change after N. The stream ends cleanly (final chunk) when the server
// stops, when timeoutSeconds pass, after an ERROR event (the feed expired or the client fell
// too far behind), or when the client disconnects.
//
// Ownership: borrows everything it is given for the duration of run(). Thread-safety: run()
// executes on the request thread; the store's watch thread only queues events for it.
#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "framework/api/routes.hpp"
#include "framework/store/store.hpp"

namespace maasprov::api {

struct WatchRequest {
  const ResourceType* type = nullptr;
  std::optional<std::string> ns;             // nullopt: every namespace
  store::LabelPredicate labels;              // empty: every object
  std::optional<std::string> name;           // fieldSelector=metadata.name=NAME
  std::optional<std::uint64_t> fromVersion;  // nullopt: initial ADDED events, then changes
  std::optional<std::chrono::seconds> timeout;
};

// Streams until one of the ends above. Throws ApiError (410 Expired) before anything is sent
// when fromVersion is older than the store's feed; afterwards it never throws.
void runWatch(store::Store& store, const WatchRequest& watch, Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response, const std::atomic<bool>& stopping);

}  // namespace maasprov::api
