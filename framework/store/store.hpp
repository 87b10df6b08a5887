// The object store: Kubernetes-style JSON documents keyed by kind/namespace/name, with
// optimistic concurrency, finalizer-aware deletion and an ordered change feed.
//
// The store is kind-agnostic: it knows metadata (name, namespace, uid, labels, annotations,
// generation, resourceVersion, creationTimestamp, deletionTimestamp, finalizers), `spec` and
// `status`, and keeps every other top-level key (a Secret's `data`) as given. Typed validation is
// the resource model's job. The interface is kept narrow (whole-document reads and writes plus
// one change feed) so that a shared networked database can back it for several replicas; see
// docs/store.md for the exact semantics every backend must provide.
//
// Ownership: documents passed in are never retained or modified; documents returned are fresh
// copies owned by the caller. Thread-safety: every Store implementation must allow all methods to
// be called concurrently from any number of threads.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "framework/store/errors.hpp"

namespace maasprov::store {

using Document = Poco::JSON::Object::Ptr;
using Labels = std::map<std::string, std::string>;
// Chooses objects by their metadata.labels; an empty function accepts everything.
using LabelPredicate = std::function<bool(const Labels&)>;

struct ListResult {
  std::vector<Document> items;  // ordered by namespace, then name
  // The store-wide version the list is a consistent snapshot of: watch from here to miss nothing.
  std::uint64_t resourceVersion = 0;
};

enum class EventType { Added, Modified, Deleted, Error };
// "ADDED", "MODIFIED", "DELETED", "ERROR", as Kubernetes' watch streams spell them.
std::string_view toString(EventType type);

struct WatchEvent {
  EventType type;
  std::uint64_t resourceVersion;  // the write's version; Error events carry the last delivered one
  // The object after the write (for Deleted, its last state stamped with the deletion's version).
  // For Error, a Kubernetes Status: {"kind":"Status","code":410,"reason":"Expired","message":..}.
  // Null in a watchTexts() event, except for Error.
  Document object;
  // The object's JSON text as stored (compact, keys sorted), shared with the store; null for
  // Error.
  std::shared_ptr<const std::string> text;
};

// Called on the subscription's own thread, one event at a time, in resourceVersion order. It
// may call back into the store, but must not destroy its own Subscription. An Error event is the
// last one delivered. Exceptions thrown by the callback are logged and delivery goes on.
using WatchCallback = std::function<void(const WatchEvent&)>;

// A live change-feed registration. Destroying it stops delivery: once the destructor returns the
// callback is not running and will not be called again. Must be destroyed before its Store.
class Subscription {
 public:
  virtual ~Subscription() = default;
};

struct RemoveResult {
  bool deleted = false;  // false: finalizers remain, the object is kept with deletionTimestamp
  Document object;       // the object's state after the call
};

class Store {
 public:
  virtual ~Store() = default;

  // Stores a new object and returns it with metadata.uid (UUID v4), generation 1,
  // resourceVersion and creationTimestamp (RFC 3339 UTC) assigned. `status` is dropped (it is
  // written with updateStatus) and so are client-supplied server-owned fields. Throws
  // AlreadyExists, or Invalid if the document lacks kind/apiVersion/metadata.name or carries a
  // resourceVersion.
  virtual Document create(const Document& object) = 0;

  // Throws NotFound.
  virtual Document get(const ObjectKey& key) = 0;

  // The object's JSON text as stored (what get() parses: compact, keys sorted), for callers that
  // pass it on rather than read it. Throws NotFound. The default prints get()'s document.
  virtual std::shared_ptr<const std::string> getText(const ObjectKey& key);

  // All objects of `kind` in namespace `ns`, or in every namespace when `ns` is nullopt, whose
  // labels `selector` accepts. Holds every matching document at once: prefer scan() for many.
  virtual ListResult list(const std::string& kind, const std::optional<std::string>& ns,
                          const LabelPredicate& selector = {}) = 0;

  // Calls `visit` once per object of `kind` in namespace `ns` (every namespace when nullopt), in
  // namespace/name order, from one consistent snapshot, holding at most one parsed document at a
  // time. Returns the snapshot's store-wide resourceVersion (watch from it to miss nothing).
  // Exceptions thrown by `visit` end the scan and propagate. Throws store errors.
  // `visit` runs on the calling thread and may call the store, writes included; they do not
  // show up in this scan.
  virtual std::uint64_t scan(const std::string& kind, const std::optional<std::string>& ns,
                             const std::function<void(const Document&)>& visit) = 0;

  // scan() for a visitor that reads the texts (as getText() gives them; the view is valid during
  // its call only): nothing is parsed. The default prints scan()'s documents.
  virtual std::uint64_t scanTexts(const std::string& kind, const std::optional<std::string>& ns,
                                  const std::function<void(std::string_view text)>& visit);

  // Replaces everything but `status` and server-owned metadata. The document's
  // metadata.resourceVersion must equal the stored one (else Conflict). `generation` is bumped
  // only when `spec` changed. A write that changes nothing returns the stored object without a
  // new resourceVersion or event. On an object being deleted no finalizer may be added, and
  // removing the last finalizer deletes the object (the returned document is its last state).
  // Throws NotFound, Conflict, Invalid.
  virtual Document update(const Document& object) = 0;

  // Replaces only `status`, with the same resourceVersion check and no-op rule as update().
  virtual Document updateStatus(const Document& object) = 0;

  // updateStatus() of a document its caller hands over: the caller keeps no other reference to
  // `object` and, after a successful call, uses only the result, which may be `object` itself
  // with its metadata.resourceVersion updated (so a backend need not build a copy). On an error
  // `object` may have been left as it was or not: the caller drops it. The default calls
  // updateStatus().
  virtual Document updateStatusTaking(Document object);

  // Kubernetes deletion: an object with finalizers gets metadata.deletionTimestamp (set once,
  // later calls change nothing) and stays until an update removes its last finalizer; an object
  // without finalizers is deleted at once. Throws NotFound.
  virtual RemoveResult remove(const ObjectKey& key) = 0;

  // Delivers every write with a resourceVersion greater than `fromResourceVersion`, then every
  // later one as it is committed. Throws Expired if the feed no longer reaches back that far.
  virtual std::unique_ptr<Subscription> watch(std::uint64_t fromResourceVersion,
                                              WatchCallback callback) = 0;

  // watch() for a subscriber that reads the texts: events carry `text` and no parsed `object`
  // (Error events still carry theirs), so a subscriber that needs a few fields of each write
  // does not pay for a tree it would not use. The default delivers watch()'s events with
  // `text` printed from `object`.
  virtual std::unique_ptr<Subscription> watchTexts(std::uint64_t fromResourceVersion,
                                                   WatchCallback callback);
};

// Parses a resourceVersion as rendered in metadata ("42"); throws Invalid naming `field`.
std::uint64_t parseResourceVersion(const std::string& text,
                                   std::string_view field = "resourceVersion");

}  // namespace maasprov::store
