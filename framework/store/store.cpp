#include "framework/store/store.hpp"

#include "framework/store/object_rules.hpp"

namespace maasprov::store {

std::shared_ptr<const std::string> Store::getText(const ObjectKey& key) {
  return std::make_shared<const std::string>(rules::serialize(get(key)));
}

Document Store::updateStatusTaking(Document object) {
  return updateStatus(object);
}

std::uint64_t Store::scanTexts(const std::string& kind, const std::optional<std::string>& ns,
                               const std::function<void(std::string_view text)>& visit) {
  return scan(kind, ns, [&visit](const Document& object) { visit(rules::serialize(object)); });
}

std::unique_ptr<Subscription> Store::watchTexts(std::uint64_t fromResourceVersion,
                                                WatchCallback callback) {
  return watch(fromResourceVersion, [callback = std::move(callback)](const WatchEvent& event) {
    if (event.type == EventType::Error || event.text) return callback(event);
    WatchEvent withText{event.type, event.resourceVersion, nullptr,
                        std::make_shared<const std::string>(rules::serialize(event.object))};
    callback(withText);
  });
}

}  // namespace maasprov::store
