// Tolerant access to fields of MAAS JSON payloads.
//
// MAAS adds fields between releases and sends null for many unset ones, so readers here
// return a default for a missing or null field, and throw ProtocolError (naming the payload and
// the field) only when a field is present with an unusable type, or when a required one is
// missing. Free functions; thread-safe on distinct objects.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace maasprov::maas::json {

using ObjectPtr = Poco::JSON::Object::Ptr;
using ArrayPtr = Poco::JSON::Array::Ptr;

// Parses a response body; `what` names it in errors ("GET machines/ response").
ObjectPtr parseObject(const std::string& body, const std::string& what);
ArrayPtr parseArray(const std::string& body, const std::string& what);

// Elements of an array that must all be objects.
std::vector<ObjectPtr> objects(const ArrayPtr& array, const std::string& what);

std::string string(const ObjectPtr& object, const std::string& key, const std::string& what);
std::string requiredString(const ObjectPtr& object, const std::string& key,
                           const std::string& what);
std::int64_t integer(const ObjectPtr& object, const std::string& key, const std::string& what,
                     std::int64_t fallback = 0);
std::int64_t requiredInteger(const ObjectPtr& object, const std::string& key,
                             const std::string& what);
double number(const ObjectPtr& object, const std::string& key, const std::string& what,
              double fallback = 0.0);
bool boolean(const ObjectPtr& object, const std::string& key, const std::string& what,
             bool fallback = false);
// A list of strings; an absent or null field is an empty list.
std::vector<std::string> strings(const ObjectPtr& object, const std::string& key,
                                 const std::string& what);
// A flat object of string values (workload annotations, owner data); non-strings are converted.
std::map<std::string, std::string> stringMap(const ObjectPtr& object, const std::string& key,
                                             const std::string& what);
// A nested object, or null when absent or null.
ObjectPtr object(const ObjectPtr& object, const std::string& key, const std::string& what);
ArrayPtr array(const ObjectPtr& object, const std::string& key, const std::string& what);

}  // namespace maasprov::maas::json
