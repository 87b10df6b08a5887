#include "framework/store/object_rules.hpp"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Timestamp.h>
#include <Poco/UUIDGenerator.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

#include "framework/model/json_text.hpp"

namespace maasprov::store {

std::string_view toString(EventType type) {
  switch (type) {
    case EventType::Added:
      return "ADDED";
    case EventType::Modified:
      return "MODIFIED";
    case EventType::Deleted:
      return "DELETED";
    case EventType::Error:
      return "ERROR";
  }
  return "UNKNOWN";
}

std::uint64_t parseResourceVersion(const std::string& text, std::string_view field) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    throw Invalid(std::string(field) + ": expected a resourceVersion (a decimal integer), got \"" +
                  text + "\"");
  }
  return value;
}

namespace rules {
namespace {

constexpr std::size_t kMaxNameLength = 253;  // a DNS subdomain, as Kubernetes allows

// Server-owned metadata: never taken from a client, always carried over from the stored object.
const char* const kServerOwned[] = {"uid", "creationTimestamp", "deletionTimestamp", "generation"};

std::string requireString(const Poco::JSON::Object& object, const std::string& key,
                          const std::string& path, bool nonEmpty) {
  if (!object.has(key)) throw Invalid(path + ": expected a non-empty string, but it is missing");
  const Poco::Dynamic::Var value = object.get(key);
  if (!value.isString()) throw Invalid(path + ": expected a string");
  std::string text = value.extract<std::string>();
  if (nonEmpty && text.empty()) throw Invalid(path + ": expected a non-empty string");
  return text;
}

void requireStringMap(const Poco::JSON::Object& metadata, const std::string& key) {
  if (!metadata.has(key) || metadata.get(key).isEmpty()) return;
  if (!metadata.isObject(key)) throw Invalid("metadata." + key + ": expected an object of strings");
  const auto map = metadata.getObject(key);
  for (const auto& [name, value] : *map) {
    if (!value.isString()) {
      throw Invalid("metadata." + key + "." + name + ": expected a string value");
    }
  }
}

std::string nowRfc3339() {
  return Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::ISO8601_FORMAT);
}

Poco::JSON::Object::Ptr metadataOf(const Document& object) {
  return object->getObject("metadata");
}

// Values whose JSON text is their canonical text, so they compare without serializing: a
// string's text is its escaping (one text per string), an integer's its digits, a bool's
// true/false. Anything else (doubles, null, other types) is compared by its canonical text.
enum class Leaf { None, String, Integer, Bool };

Leaf leafOf(const Poco::Dynamic::Var& value) {
  const auto& type = value.type();
  if (type == typeid(std::string)) return Leaf::String;
  if (type == typeid(Poco::Int64) || type == typeid(Poco::UInt64) || type == typeid(int) ||
      type == typeid(unsigned) || type == typeid(long) || type == typeid(unsigned long) ||
      type == typeid(long long) || type == typeid(unsigned long long)) {
    return Leaf::Integer;
  }
  if (type == typeid(bool)) return Leaf::Bool;
  return Leaf::None;
}

bool sameObject(const Poco::JSON::Object& a, const Poco::JSON::Object& b,
                const std::string* ignored = nullptr);

bool sameArray(const Poco::JSON::Array& a, const Poco::JSON::Array& b) {
  if (a.size() != b.size()) return false;
  for (unsigned i = 0; i < a.size(); ++i) {
    if (!equivalent(a.get(i), b.get(i))) return false;
  }
  return true;
}

// Same keys (apart from `ignored`) with equivalent values; the order of keys does not matter.
bool sameObject(const Poco::JSON::Object& a, const Poco::JSON::Object& b,
                const std::string* ignored) {
  std::size_t compared = 0;
  for (const auto& [key, value] : a) {
    if (ignored && key == *ignored) continue;
    if (!b.has(key) || !equivalent(value, b.get(key))) return false;
    ++compared;
  }
  const std::size_t others = b.size() - (ignored && b.has(*ignored) ? 1 : 0);
  return compared == others;
}

// Equal apart from metadata.resourceVersion: such a write changes nothing. Both hold metadata
// objects (validated or stored).
bool sameExceptVersion(const Document& a, const Document& b) {
  static const std::string kMetadata = "metadata";
  static const std::string kVersion = "resourceVersion";
  if (a->size() != b->size()) return false;
  for (const auto& [key, value] : *a) {
    if (!b->has(key)) return false;
    if (key == kMetadata && a->isObject(key) && b->isObject(key)) {
      if (!sameObject(*a->getObject(key), *b->getObject(key), &kVersion)) return false;
    } else if (!equivalent(value, b->get(key))) {
      return false;
    }
  }
  return true;
}

void checkVersion(const Document& stored, const Document& incoming, const ObjectKey& key) {
  const auto meta = metadataOf(incoming);
  if (!meta->has("resourceVersion") || meta->get("resourceVersion").isEmpty()) {
    throw Invalid(key.toString() +
                  ": metadata.resourceVersion: expected the resourceVersion the write is based "
                  "on (read the object first)");
  }
  const std::string given = meta->getValue<std::string>("resourceVersion");
  const std::string current = metadataOf(stored)->getValue<std::string>("resourceVersion");
  if (given != current) throw Conflict(key, given, current);
}

void setVersion(const Document& object, std::uint64_t resourceVersion) {
  metadataOf(object)->set("resourceVersion", std::to_string(resourceVersion));
}

// Kubernetes omits empty finalizer lists; doing the same keeps "no finalizers" one state.
void dropEmptyFinalizers(const Document& object) {
  auto meta = metadataOf(object);
  if (meta->has("finalizers") && finalizersOf(object).empty()) meta->remove("finalizers");
}

}  // namespace

ObjectKey validate(const Document& object) {
  if (!object) throw Invalid("expected a JSON object, got nothing");
  ObjectKey key;
  key.kind = requireString(*object, "kind", "kind", true);
  requireString(*object, "apiVersion", "apiVersion", true);
  if (!object->isObject("metadata")) throw Invalid("metadata: expected an object");
  const auto meta = object->getObject("metadata");
  key.name = requireString(*meta, "name", "metadata.name", true);
  if (key.name.size() > kMaxNameLength) {
    throw Invalid("metadata.name: expected at most 253 characters, got " +
                  std::to_string(key.name.size()));
  }
  if (meta->has("namespace") && !meta->get("namespace").isEmpty()) {
    key.ns = requireString(*meta, "namespace", "metadata.namespace", false);
  }
  requireStringMap(*meta, "labels");
  requireStringMap(*meta, "annotations");
  if (meta->has("finalizers") && !meta->get("finalizers").isEmpty()) {
    if (!meta->isArray("finalizers")) {
      throw Invalid("metadata.finalizers: expected an array of strings");
    }
    const auto list = meta->getArray("finalizers");
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto value = list->get(static_cast<unsigned>(i));
      if (!value.isString() || value.extract<std::string>().empty()) {
        throw Invalid("metadata.finalizers[" + std::to_string(i) +
                      "]: expected a non-empty string");
      }
    }
  }
  if (meta->has("resourceVersion") && !meta->get("resourceVersion").isEmpty()) {
    parseResourceVersion(requireString(*meta, "resourceVersion", "metadata.resourceVersion", true),
                         "metadata.resourceVersion");
  }
  return key;
}

Document parse(const std::string& json) {
  Document object;
  try {
    object = model::readObject(json);  // every reconcile reads its object: Poco's parser is slow
  } catch (const Poco::Exception& e) {
    throw Invalid("expected a JSON object: " + e.displayText());
  }
  if (!object) throw Invalid("expected a JSON object");
  return object;
}

std::string serialize(const Document& object) {
  return model::printObject(*object);  // every status write prints its object
}

namespace {

Poco::JSON::Object::Ptr cloneObject(const Poco::JSON::Object& object);
Poco::JSON::Array::Ptr cloneArray(const Poco::JSON::Array& array);

// Containers are copied; any other value is one a Var copies by value.
bool isContainer(const Poco::Dynamic::Var& v) {
  const std::type_info& t = v.type();
  return t == typeid(Poco::JSON::Object::Ptr) || t == typeid(Poco::JSON::Array::Ptr) ||
         t == typeid(Poco::JSON::Object) || t == typeid(Poco::JSON::Array);
}

Poco::Dynamic::Var cloneValue(const Poco::Dynamic::Var& v) {
  const std::type_info& t = v.type();
  if (t == typeid(Poco::JSON::Object::Ptr)) {
    const auto& o = v.extract<Poco::JSON::Object::Ptr>();
    return o ? Poco::Dynamic::Var(cloneObject(*o)) : v;
  }
  if (t == typeid(Poco::JSON::Array::Ptr)) {
    const auto& a = v.extract<Poco::JSON::Array::Ptr>();
    return a ? Poco::Dynamic::Var(cloneArray(*a)) : v;
  }
  if (t == typeid(Poco::JSON::Object)) return cloneObject(v.extract<Poco::JSON::Object>());
  if (t == typeid(Poco::JSON::Array)) return cloneArray(v.extract<Poco::JSON::Array>());
  return v;
}

Poco::JSON::Object::Ptr cloneObject(const Poco::JSON::Object& object) {
  auto out = Poco::makeShared<Poco::JSON::Object>(object);  // its options and key order
  for (const auto& [key, value] : object) {
    if (isContainer(value)) out->set(key, cloneValue(value));
  }
  return out;
}

Poco::JSON::Array::Ptr cloneArray(const Poco::JSON::Array& array) {
  auto out = Poco::makeShared<Poco::JSON::Array>(array);
  for (unsigned i = 0; i < array.size(); ++i) {
    if (isContainer(array.get(i))) out->set(i, cloneValue(array.get(i)));
  }
  return out;
}

}  // namespace

// Level by level rather than through text: status writes copy the incoming status on every
// write, and printing and re-parsing it cost twice what building the copy does.
Document deepCopy(const Document& object) {
  return object ? cloneObject(*object) : Document{};
}

std::string canonical(const Poco::Dynamic::Var& value) {
  if (value.isEmpty()) return {};
  std::ostringstream raw;
  Poco::JSON::Stringifier::stringify(value, raw);
  // The default parse handler builds key-sorted objects, so re-serializing sorts every level.
  Poco::JSON::Parser parser;
  std::ostringstream sorted;
  Poco::JSON::Stringifier::stringify(parser.parse(raw.str()), sorted);
  return sorted.str();
}

bool equivalent(const Poco::Dynamic::Var& a, const Poco::Dynamic::Var& b) {
  const Leaf leaf = leafOf(a);
  if (leaf != Leaf::None && leaf == leafOf(b)) {
    switch (leaf) {
      case Leaf::String:
        return a.extract<std::string>() == b.extract<std::string>();
      case Leaf::Integer:
        return a.toString() == b.toString();  // the digits, as JSON writes them
      case Leaf::Bool:
        return a.convert<bool>() == b.convert<bool>();
      case Leaf::None:
        break;
    }
  }
  if (a.type() == typeid(Poco::JSON::Object::Ptr) && b.type() == typeid(Poco::JSON::Object::Ptr)) {
    const auto& x = a.extract<Poco::JSON::Object::Ptr>();
    const auto& y = b.extract<Poco::JSON::Object::Ptr>();
    if (x && y) return x.get() == y.get() || sameObject(*x, *y);
  }
  if (a.type() == typeid(Poco::JSON::Array::Ptr) && b.type() == typeid(Poco::JSON::Array::Ptr)) {
    const auto& x = a.extract<Poco::JSON::Array::Ptr>();
    const auto& y = b.extract<Poco::JSON::Array::Ptr>();
    if (x && y) return x.get() == y.get() || sameArray(*x, *y);
  }
  // Poco parses no bare scalar, so a value is canonicalized as the one item of an array.
  auto text = [](const Poco::Dynamic::Var& value) {
    if (value.isEmpty()) return std::string();
    Poco::JSON::Array::Ptr carrier = new Poco::JSON::Array;
    carrier->add(value);
    return canonical(carrier);
  };
  return text(a) == text(b);
}

Labels labelsOf(const Document& object) {
  Labels labels;
  const auto meta = metadataOf(object);
  if (!meta || !meta->isObject("labels")) return labels;
  for (const auto& [name, value] : *meta->getObject("labels")) labels[name] = value.toString();
  return labels;
}

std::vector<std::string> finalizersOf(const Document& object) {
  std::vector<std::string> result;
  const auto meta = metadataOf(object);
  if (!meta || !meta->isArray("finalizers")) return result;
  const auto list = meta->getArray("finalizers");
  for (std::size_t i = 0; i < list->size(); ++i) {
    result.push_back(list->get(static_cast<unsigned>(i)).toString());
  }
  return result;
}

std::uint64_t resourceVersionOf(const Document& object) {
  const auto meta = metadataOf(object);
  if (!meta || !meta->has("resourceVersion")) return 0;
  return parseResourceVersion(meta->getValue<std::string>("resourceVersion"),
                              "metadata.resourceVersion");
}

bool isBeingDeleted(const Document& object) {
  const auto meta = metadataOf(object);
  return meta && meta->has("deletionTimestamp") && !meta->get("deletionTimestamp").isEmpty();
}

Document prepareCreate(const Document& incoming, std::uint64_t resourceVersion) {
  const ObjectKey key = validate(incoming);
  if (resourceVersionOf(incoming) != 0) {
    throw Invalid(key.toString() +
                  ": metadata.resourceVersion: expected none on create (the store assigns it)");
  }
  auto object = deepCopy(incoming);
  object->remove("status");  // written through updateStatus only, as with a status subresource
  auto meta = metadataOf(object);
  for (const char* field : kServerOwned) meta->remove(field);
  meta->set("uid", Poco::UUIDGenerator::defaultGenerator().createRandom().toString());
  meta->set("generation", Poco::Int64{1});
  meta->set("creationTimestamp", nowRfc3339());
  setVersion(object, resourceVersion);
  dropEmptyFinalizers(object);
  return object;
}

namespace {

// `owned`: the caller gave `stored` up (it was parsed for this write alone), so it may be
// returned or share subtrees with the result instead of being copied.
WritePlan update(const Document& stored, bool owned, const Document& incoming,
                 std::uint64_t resourceVersion) {
  const ObjectKey key = validate(incoming);
  checkVersion(stored, incoming, key);
  const auto storedCopy = owned ? stored : deepCopy(stored);
  auto object = deepCopy(incoming);
  auto meta = metadataOf(object);
  const auto storedMeta = metadataOf(storedCopy);
  for (const char* field : kServerOwned) {
    if (storedMeta->has(field)) {
      meta->set(field, storedMeta->get(field));
    } else {
      meta->remove(field);
    }
  }
  if (storedCopy->has("status")) {
    object->set("status", storedCopy->get("status"));
  } else {
    object->remove("status");
  }
  dropEmptyFinalizers(object);

  const auto finalizers = finalizersOf(object);
  if (isBeingDeleted(stored)) {
    const auto before = finalizersOf(stored);
    const std::set<std::string> allowed(before.begin(), before.end());
    for (const auto& finalizer : finalizers) {
      if (!allowed.contains(finalizer)) {
        throw Invalid(key.toString() + ": metadata.finalizers: cannot add \"" + finalizer +
                      "\" while the object is being deleted");
      }
    }
  }
  const bool specChanged = !equivalent(object->get("spec"), storedCopy->get("spec"));
  const auto generation = storedMeta->getValue<Poco::Int64>("generation");
  meta->set("generation", specChanged ? generation + 1 : generation);
  setVersion(object, resourceVersion);

  if (sameExceptVersion(object, stored)) return {storedCopy, false, false};
  return {object, true, isBeingDeleted(stored) && finalizers.empty()};
}

WritePlan statusUpdate(const Document& stored, bool owned, const Document& incoming,
                       std::uint64_t resourceVersion) {
  const ObjectKey key = validate(incoming);
  checkVersion(stored, incoming, key);
  // Only status can differ, so only status is compared: status writes are the most frequent
  // writes and run inside the batch's transaction, where whole-document copies were the cost.
  const bool had = stored->has("status");
  const bool has = incoming->has("status");
  if (had == has && equivalent(stored->get("status"), incoming->get("status"))) {
    return {owned ? stored : deepCopy(stored), false, false};
  }
  auto object = owned ? stored : deepCopy(stored);
  if (has) {
    Document carrier = new Poco::JSON::Object;  // copies the status alone, whatever its type
    carrier->set("status", incoming->get("status"));
    object->set("status", deepCopy(carrier)->get("status"));
  } else {
    object->remove("status");
  }
  setVersion(object, resourceVersion);
  return {object, true, false};
}

WritePlan removal(const Document& stored, bool owned, std::uint64_t resourceVersion) {
  auto object = owned ? stored : deepCopy(stored);
  if (finalizersOf(object).empty()) {
    setVersion(object, resourceVersion);
    return {object, true, true};
  }
  if (isBeingDeleted(object)) return {object, false, false};  // the timestamp is set only once
  metadataOf(object)->set("deletionTimestamp", nowRfc3339());
  setVersion(object, resourceVersion);
  return {object, true, false};
}

}  // namespace

WritePlan planUpdate(const Document& stored, const Document& incoming,
                     std::uint64_t resourceVersion) {
  return update(stored, false, incoming, resourceVersion);
}

WritePlan planUpdate(Document&& stored, const Document& incoming, std::uint64_t resourceVersion) {
  const Document taken = std::move(stored);
  return update(taken, true, incoming, resourceVersion);
}

WritePlan planStatusUpdate(const Document& stored, const Document& incoming,
                           std::uint64_t resourceVersion) {
  return statusUpdate(stored, false, incoming, resourceVersion);
}

WritePlan planStatusUpdate(Document&& stored, const Document& incoming,
                           std::uint64_t resourceVersion) {
  const Document taken = std::move(stored);
  return statusUpdate(taken, true, incoming, resourceVersion);
}

WritePlan planRemove(const Document& stored, std::uint64_t resourceVersion) {
  return removal(stored, false, resourceVersion);
}

WritePlan planRemove(Document&& stored, std::uint64_t resourceVersion) {
  const Document taken = std::move(stored);
  return removal(taken, true, resourceVersion);
}

}  // namespace rules
}  // namespace maasprov::store
