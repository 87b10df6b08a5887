// Encoding model objects as Poco JSON, JSON text and YAML text.
//
// The encoding is canonical and round-trips: decode(encode(x)) == x for every decodable x.
// Keys come in the order manifests are written (apiVersion, kind, metadata, spec, status), unset
// optional fields and empty lists/maps are left out, and `status` is left out while it holds
// nothing. Timestamps are written in UTC (`2024-05-01T12:00:00Z`).
//
// Ownership: returns new values; keeps nothing. Thread-safety: reentrant.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

#include "framework/model/object.hpp"

namespace maasprov::model {

// A fresh JSON object the caller owns (shared pointer), keys in insertion order.
Poco::JSON::Object::Ptr toJson(const Object& object);

// JSON text; `indent` 0 gives one compact line, otherwise pretty-printed with that indent.
std::string toJsonText(const Object& object, unsigned indent = 2);

// One YAML document, without a `---` marker, ending in a newline.
std::string toYamlText(const Object& object);

// A YAML stream: each object's document, separated by `---` lines.
std::string toYamlText(const std::vector<Object>& objects);

}  // namespace maasprov::model
