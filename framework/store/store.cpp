#include "framework/store/store.hpp"

#include "framework/store/object_rules.hpp"

namespace maasprov::store {

std::shared_ptr<const std::string> Store::getText(const ObjectKey& key) {
  return std::make_shared<const std::string>(rules::serialize(get(key)));
}

Document Store::updateStatusTaking(Document object) {
  return updateStatus(object);
}

}  // namespace maasprov::store
