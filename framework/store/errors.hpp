// Errors the object store raises. Every backend throws these and nothing else, so the REST API
// can map them to HTTP statuses (NotFound 404, AlreadyExists/Conflict 409, Invalid 400,
// Expired 410) without knowing which database is behind the store.
//
// Ownership: plain value types. Thread-safety: immutable after construction.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace maasprov::store {

// Identity of one stored object. `ns` is empty for cluster-scoped kinds.
struct ObjectKey {
  std::string kind;
  std::string ns;
  std::string name;

  // "MaasMachine default/m1", or "Kind name" when cluster-scoped; used in every message.
  std::string toString() const { return kind + " " + (ns.empty() ? name : ns + "/" + name); }
  auto operator<=>(const ObjectKey&) const = default;
};

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class NotFound : public StoreError {
 public:
  explicit NotFound(ObjectKey key)
      : StoreError(key.toString() + " not found"), key_(std::move(key)) {}
  const ObjectKey& key() const { return key_; }

 private:
  ObjectKey key_;
};

class AlreadyExists : public StoreError {
 public:
  explicit AlreadyExists(ObjectKey key)
      : StoreError(key.toString() + " already exists"), key_(std::move(key)) {}
  const ObjectKey& key() const { return key_; }

 private:
  ObjectKey key_;
};

// A write carried a resourceVersion that is no longer current: someone else wrote first.
class Conflict : public StoreError {
 public:
  Conflict(ObjectKey key, std::string given, std::string current)
      : StoreError(key.toString() + " was modified: the write was based on resourceVersion " +
                   given + " but the stored object is at resourceVersion " + current +
                   "; read it again and retry"),
        key_(std::move(key)),
        given_(std::move(given)),
        current_(std::move(current)) {}
  const ObjectKey& key() const { return key_; }
  const std::string& givenVersion() const { return given_; }
  const std::string& currentVersion() const { return current_; }

 private:
  ObjectKey key_;
  std::string given_;
  std::string current_;
};

// The document handed to the store is malformed; the message names the field and what was
// expected (e.g. "metadata.name: expected a non-empty string").
class Invalid : public StoreError {
 public:
  using StoreError::StoreError;
};

// A watch asked to resume from a resourceVersion whose events have been compacted away; the
// caller must list again and watch from the list's resourceVersion.
class Expired : public StoreError {
 public:
  Expired(std::uint64_t requested, std::uint64_t oldest)
      : StoreError("resourceVersion " + std::to_string(requested) +
                   " is too old: the change feed only goes back to " + std::to_string(oldest) +
                   "; list again and watch from the list's resourceVersion"),
        requested_(requested),
        oldest_(oldest) {}
  std::uint64_t requestedVersion() const { return requested_; }
  std::uint64_t oldestVersion() const { return oldest_; }

 private:
  std::uint64_t requested_;
  std::uint64_t oldest_;
};

}  // namespace maasprov::store
