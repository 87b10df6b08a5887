// Conflict-safe writes: read the object, apply a change, write it; on Conflict (someone wrote
// in between) read again and re-apply, a bounded number of times.
//
// Ownership: borrows the Store for the duration of the call. Thread-safety: as the Store (every
// Store is fully thread-safe); `mutate` runs on the calling thread.
#pragma once

#include <functional>

#include "framework/controller/json_status.hpp"
#include "framework/store/store.hpp"

namespace maasprov::controller {

enum class WritePart { Status, Object };  // updateStatus() or update()

// `mutate` edits a fresh copy of the stored object and returns false when nothing needs writing.
// Returns the object as stored afterwards, or null when it does not exist (any more). Throws
// store::Conflict after `attempts` conflicts in a row, and any other StoreError as is.
// `known`, when given, is the object as the caller last read or wrote it, handed over (it is
// mutated): the first attempt starts from it instead of reading the store. A stale one costs a
// Conflict and a fresh read, so pass only what is probably still current.
Json writeWithRetry(store::Store& store, const store::ObjectKey& key, WritePart part,
                    const std::function<bool(Json)>& mutate, int attempts = 10,
                    Json known = nullptr);

store::ObjectKey keyOf(Json object);

}  // namespace maasprov::controller
