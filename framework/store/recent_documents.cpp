#include "framework/store/recent_documents.hpp"

namespace maasprov::store {

std::string RecentDocuments::flatKey(const ObjectKey& key) {
  // '\0' cannot occur in a kind, namespace or name, so the joined key is unambiguous.
  std::string flat;
  flat.reserve(key.kind.size() + key.ns.size() + key.name.size() + 2);
  flat.append(key.kind).push_back('\0');
  flat.append(key.ns).push_back('\0');
  flat.append(key.name);
  return flat;
}

RecentDocuments::Text RecentDocuments::find(const ObjectKey& key) {
  const std::string flat = flatKey(key);
  std::lock_guard lock(mutex_);
  auto it = index_.find(flat);
  if (it == index_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->text;
}

void RecentDocuments::eraseLocked(std::list<Entry>::iterator it) {
  bytes_ -= it->text->size();
  index_.erase(it->key);
  order_.erase(it);
}

void RecentDocuments::put(const ObjectKey& key, Text text) {
  std::string flat = flatKey(key);
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(flat); it != index_.end()) eraseLocked(it->second);
  if (!text || text->size() > maxBytes_) return;
  bytes_ += text->size();
  order_.push_front(Entry{flat, std::move(text)});
  index_.emplace(std::move(flat), order_.begin());
  while (bytes_ > maxBytes_) eraseLocked(std::prev(order_.end()));
}

std::size_t RecentDocuments::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t RecentDocuments::size() const {
  std::lock_guard lock(mutex_);
  return index_.size();
}

}  // namespace maasprov::store
