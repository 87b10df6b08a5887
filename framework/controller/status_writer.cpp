#include "framework/controller/status_writer.hpp"

namespace maasprov::controller {

store::ObjectKey keyOf(Json object) {
  return store::ObjectKey{object->optValue<std::string>("kind", ""),
                          stringAt(object, {"metadata", "namespace"}).value_or(""),
                          stringAt(object, {"metadata", "name"}).value_or("")};
}

Json writeWithRetry(store::Store& store, const store::ObjectKey& key, WritePart part,
                    const std::function<bool(Json)>& mutate, int attempts, Json known) {
  for (int attempt = 1;; ++attempt) {
    Json current = std::move(known);
    known = nullptr;
    try {
      if (!current) current = store.get(key);
    } catch (const store::NotFound&) {
      return nullptr;
    }
    if (!mutate(current)) return current;
    try {
      // `current` is this write's own copy (read for it, or handed over): the store may return
      // it as the result rather than build another.
      return part == WritePart::Status ? store.updateStatusTaking(std::move(current))
                                       : store.update(current);
    } catch (const store::NotFound&) {
      return nullptr;
    } catch (const store::Conflict&) {
      if (attempt >= attempts) throw;
    }
  }
}

}  // namespace maasprov::controller
