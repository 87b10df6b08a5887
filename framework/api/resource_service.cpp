#include "framework/api/resource_service.hpp"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <utility>

#include "framework/api/api_error.hpp"
#include "framework/api/redaction.hpp"
#include "framework/model/decode.hpp"
#include "framework/model/defaults.hpp"
#include "framework/model/encode.hpp"
#include "framework/model/label_selector.hpp"
#include "framework/model/name_rules.hpp"
#include "framework/model/validation.hpp"

namespace maasprov::api {
namespace {

// Retries of apply when another writer wins between its read and its write.
constexpr int kApplyAttempts = 5;

ApiError invalid(std::vector<model::FieldError> errors) {
  return {422, "Invalid", model::joinErrors(errors), std::move(errors)};
}

void checkValid(const model::Object& object) {
  auto errors = model::validate(object);
  if (!errors.empty()) throw invalid(std::move(errors));
}

model::Object storedObject(const store::Document& document) {
  auto object = model::decodeObject(document);
  model::applyDefaults(object);
  return object;
}

}  // namespace

std::string_view toString(ApplyOutcome outcome) {
  switch (outcome) {
    case ApplyOutcome::Created:
      return "created";
    case ApplyOutcome::Configured:
      return "configured";
    case ApplyOutcome::Unchanged:
      return "unchanged";
  }
  return "unchanged";
}

void checkPathSegment(const std::string& field, const std::string& value) {
  if (const auto problem = model::checkDnsLabel(value); !problem.empty()) {
    throw ApiError(400, "BadRequest", field + " in the path: " + problem);
  }
}

store::LabelPredicate labelPredicate(const std::string& selector) {
  if (selector.empty()) return {};
  try {
    auto parsed = model::LabelSelector::parse(selector);
    return [parsed = std::move(parsed)](const store::Labels& labels) {
      return parsed.matches(labels);
    };
  } catch (const model::LabelSelectorError& error) {
    throw ApiError(400, "BadRequest", std::string("labelSelector: ") + error.what());
  }
}

ResourceService::ResourceService(store::Store& store, std::vector<std::string> writableNamespaces)
    : store_(store), writable_(std::move(writableNamespaces)) {}

void ResourceService::checkWritable(const std::string& ns) const {
  if (writable_.empty() || std::find(writable_.begin(), writable_.end(), ns) != writable_.end()) {
    return;
  }
  std::string allowed;
  for (const auto& name : writable_) allowed += (allowed.empty() ? "" : ", ") + name;
  throw ApiError(403, "Forbidden",
                 "namespace \"" + ns +
                     "\" is not managed by this maasprovd: writes are allowed only in " + allowed);
}

store::Document ResourceService::list(const ResourceType& type,
                                      const std::optional<std::string>& ns,
                                      const std::string& labelSelector) const {
  if (ns) checkPathSegment("namespace", *ns);
  const auto result = store_.list(std::string(type.kind), ns, labelPredicate(labelSelector));
  auto items = Poco::makeShared<Poco::JSON::Array>();
  for (const auto& item : result.items) items->add(redact(item));
  auto metadata = Poco::makeShared<Poco::JSON::Object>();
  metadata->set("resourceVersion", std::to_string(result.resourceVersion));
  auto document = Poco::makeShared<Poco::JSON::Object>(Poco::JSON_PRESERVE_KEY_ORDER);
  document->set("apiVersion", std::string(type.apiVersion));
  document->set("kind", std::string(type.listKind));
  document->set("metadata", metadata);
  document->set("items", items);
  return document;
}

store::Document ResourceService::get(const ResourceType& type, const std::string& ns,
                                     const std::string& name) const {
  checkPathSegment("namespace", ns);
  checkPathSegment("name", name);
  return redact(store_.get({std::string(type.kind), ns, name}));
}

void ResourceService::bindToPath(const ResourceType& type, const std::string& ns,
                                 const std::string* name, model::Object& object) const {
  checkPathSegment("namespace", ns);
  if (name != nullptr) checkPathSegment("name", *name);
  if (model::kindOf(object) != type.kind) {
    throw ApiError(400, "BadRequest",
                   "kind: expected " + std::string(type.kind) + " at this path, got " +
                       std::string(model::kindOf(object)));
  }
  auto& meta = model::metadataOf(object);
  if (meta.namespace_.empty()) {
    meta.namespace_ = ns;
  } else if (meta.namespace_ != ns) {
    throw ApiError(400, "BadRequest",
                   "metadata.namespace: \"" + meta.namespace_ +
                       "\" does not match the namespace in the path \"" + ns + "\"");
  }
  if (name == nullptr) return;
  if (meta.name.empty()) {
    meta.name = *name;
  } else if (meta.name != *name) {
    throw ApiError(400, "BadRequest",
                   "metadata.name: \"" + meta.name + "\" does not match the name in the path \"" +
                       *name + "\"");
  }
}

store::Document ResourceService::createChecked(model::Object object) const {
  checkWritable(model::metadataOf(object).namespace_);
  model::applyDefaults(object);
  checkValid(object);
  return store_.create(model::toJson(object));
}

store::Document ResourceService::create(const ResourceType& type, const std::string& ns,
                                        model::Object object) const {
  bindToPath(type, ns, nullptr, object);
  return redact(createChecked(std::move(object)));
}

store::Document ResourceService::replace(const ResourceType& type, const std::string& ns,
                                         const std::string& name, model::Object object) const {
  bindToPath(type, ns, &name, object);
  checkWritable(ns);
  if (model::metadataOf(object).resourceVersion.empty()) {
    throw ApiError(400, "BadRequest",
                   "metadata.resourceVersion: required for a replace; read the object and send "
                   "back the resourceVersion it was read at (or use apply)");
  }
  const auto current = storedObject(store_.get({std::string(type.kind), ns, name}));
  restoreRedacted(object, current);
  model::applyDefaults(object);
  if (auto errors = model::validateUpdate(current, object); !errors.empty()) {
    throw invalid(std::move(errors));
  }
  return redact(store_.update(model::toJson(object)));
}

ApplyResult ResourceService::apply(const ResourceType& type, const std::string& ns,
                                   const std::string& name, model::Object object) const {
  bindToPath(type, ns, &name, object);
  checkWritable(ns);
  const store::ObjectKey key{std::string(type.kind), ns, name};
  for (int attempt = 1;; ++attempt) {
    try {
      store::Document stored;
      try {
        stored = store_.get(key);
      } catch (const store::NotFound&) {
        auto fresh = object;
        model::metadataOf(fresh).resourceVersion.clear();
        return {ApplyOutcome::Created, redact(createChecked(std::move(fresh)))};
      }
      const auto current = storedObject(stored);
      auto merged = object;
      auto& meta = model::metadataOf(merged);
      const auto& currentMeta = model::metadataOf(current);
      // The manifest owns labels, annotations and spec; the controller's finalizers stay.
      meta.resourceVersion = currentMeta.resourceVersion;
      for (const auto& finalizer : currentMeta.finalizers) {
        if (std::find(meta.finalizers.begin(), meta.finalizers.end(), finalizer) ==
            meta.finalizers.end()) {
          meta.finalizers.push_back(finalizer);
        }
      }
      restoreRedacted(merged, current);
      model::applyDefaults(merged);
      if (auto errors = model::validateUpdate(current, merged); !errors.empty()) {
        throw invalid(std::move(errors));
      }
      auto updated = store_.update(model::toJson(merged));
      const bool same =
          updated->optValue<std::string>("kind", "") == type.kind &&
          updated->getObject("metadata")->optValue<std::string>("resourceVersion", "") ==
              currentMeta.resourceVersion;
      return {same ? ApplyOutcome::Unchanged : ApplyOutcome::Configured, redact(updated)};
    } catch (const store::Conflict&) {
      if (attempt == kApplyAttempts) throw;
    } catch (const store::AlreadyExists&) {
      if (attempt == kApplyAttempts) throw;
    }
  }
}

ResourceService::Removal ResourceService::remove(const ResourceType& type, const std::string& ns,
                                                 const std::string& name) const {
  checkPathSegment("namespace", ns);
  checkPathSegment("name", name);
  checkWritable(ns);
  auto result = store_.remove({std::string(type.kind), ns, name});
  return {result.deleted, redact(result.object)};
}

}  // namespace maasprov::api
