// ResourceService: the REST API's operations on stored objects (list, get, create, replace,
// apply, delete), independent of HTTP. Bodies arrive decoded (request_body.hpp); this layer
// checks them against the path, applies the model's defaults, validation and update rules,
// enforces namespace scoping and redacts user data (redaction.hpp) in what it returns.
//
// Ownership: keeps a reference to the Store, which must outlive it. Thread-safety: all methods
// may be called concurrently (the Store is thread-safe; the service has no mutable state).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "framework/api/routes.hpp"
#include "framework/model/object.hpp"
#include "framework/store/store.hpp"

namespace maasprov::api {

enum class ApplyOutcome { Created, Configured, Unchanged };
std::string_view toString(ApplyOutcome outcome);  // "created", "configured", "unchanged"

struct ApplyResult {
  ApplyOutcome outcome;
  store::Document object;
};

class ResourceService {
 public:
  // `writableNamespaces` empty = writes allowed everywhere.
  ResourceService(store::Store& store, std::vector<std::string> writableNamespaces);

  // {"apiVersion","kind":"<Kind>List","metadata":{"resourceVersion"},"items":[...]}; `ns`
  // nullopt lists every namespace. `labelSelector` in kubectl syntax (400 naming it if bad).
  store::Document list(const ResourceType& type, const std::optional<std::string>& ns,
                       const std::string& labelSelector) const;
  store::Document get(const ResourceType& type, const std::string& ns,
                      const std::string& name) const;
  // POST: 201 semantics; throws ApiError (400, 403, 409 AlreadyExists, 422).
  store::Document create(const ResourceType& type, const std::string& ns,
                         model::Object object) const;
  // PUT: the body must carry the resourceVersion it was read at (409 Conflict when stale).
  store::Document replace(const ResourceType& type, const std::string& ns, const std::string& name,
                          model::Object object) const;
  // PATCH (apply): create when absent, otherwise take the manifest's labels, annotations and
  // spec/data over the stored object, keeping its finalizers and status; retried on conflicts.
  ApplyResult apply(const ResourceType& type, const std::string& ns, const std::string& name,
                    model::Object object) const;

  struct Removal {
    bool deleted = false;  // false: finalizers remain, `object` carries deletionTimestamp
    store::Document object;
  };
  Removal remove(const ResourceType& type, const std::string& ns, const std::string& name) const;

  // Throws ApiError 403 when writes to `ns` are not allowed.
  void checkWritable(const std::string& ns) const;

 private:
  // Checks kind, namespace and name of a body against the path, filling in what it leaves out.
  void bindToPath(const ResourceType& type, const std::string& ns, const std::string* name,
                  model::Object& object) const;
  store::Document createChecked(model::Object object) const;

  store::Store& store_;
  std::vector<std::string> writable_;
};

// Throws ApiError 400 naming `field` when `value` is not a DNS label (namespaces and names
// taken from the path).
void checkPathSegment(const std::string& field, const std::string& value);

// The label predicate for a kubectl-style selector; throws ApiError 400 naming labelSelector.
store::LabelPredicate labelPredicate(const std::string& selector);

}  // namespace maasprov::api
