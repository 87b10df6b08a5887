// The backend-independent rules of the store: document validation, server-owned metadata, the
// generation/no-op/finalizer rules of update, and deletion. Every backend (SQLite today, a
// networked database later) runs its writes through these so all backends behave identically;
// a backend only adds storage, the resourceVersion counter and the change feed.
//
// Ownership: functions never modify their arguments; returned documents are fresh deep copies,
// except the plan overloads taking `Document&& stored`: they take the stored object over (a
// backend parsed it for this write alone) and may return it, modified, instead of a copy.
// Thread-safety: pure functions over their arguments, safe to call from any thread.
#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>
#include <vector>

#include "framework/store/store.hpp"

namespace maasprov::store::rules {

// Checks what the store relies on (kind, apiVersion, metadata.name, and the types of namespace,
// labels, annotations, finalizers, resourceVersion) and returns the object's key. Throws Invalid
// naming the field and what was expected.
ObjectKey validate(const Document& object);

Document parse(const std::string& json);  // throws Invalid if not a JSON object
std::string serialize(const Document& object);
Document deepCopy(const Document& object);
// A serialization with object keys sorted at every level, for equality tests.
std::string canonical(const Poco::Dynamic::Var& value);
// canonical(a) == canonical(b), mostly without serializing: objects are compared key by key,
// arrays item by item, strings, integers and bools directly; anything else by canonical().
bool equivalent(const Poco::Dynamic::Var& a, const Poco::Dynamic::Var& b);

Labels labelsOf(const Document& object);
std::vector<std::string> finalizersOf(const Document& object);
std::uint64_t resourceVersionOf(const Document& object);  // 0 when absent
bool isBeingDeleted(const Document& object);

// What a backend must do after applying a rule to the stored object.
struct WritePlan {
  Document object;         // the new state (or the stored one when nothing changed)
  bool changed = false;    // false: write nothing, emit no event, keep the resourceVersion
  bool deleteNow = false;  // true: remove the row and emit DELETED with `object`
};

// A new object at `resourceVersion`: uid, generation 1, creationTimestamp assigned, status and
// client-supplied server-owned fields dropped.
Document prepareCreate(const Document& incoming, std::uint64_t resourceVersion);
// `stored` is the current object; `resourceVersion` the version the write will get if it happens.
WritePlan planUpdate(const Document& stored, const Document& incoming,
                     std::uint64_t resourceVersion);
WritePlan planUpdate(Document&& stored, const Document& incoming, std::uint64_t resourceVersion);
WritePlan planStatusUpdate(const Document& stored, const Document& incoming,
                           std::uint64_t resourceVersion);
WritePlan planStatusUpdate(Document&& stored, const Document& incoming,
                           std::uint64_t resourceVersion);
WritePlan planRemove(const Document& stored, std::uint64_t resourceVersion);
WritePlan planRemove(Document&& stored, std::uint64_t resourceVersion);

}  // namespace maasprov::store::rules
