// Redaction of user data in API responses. User data (a Secret's `data` values and a
// MaasMachine's inline `spec.userData`) is never sent back: every response, list item and watch
// event carries kRedacted in its place. The controller reads the real values from the store.
//
// A PUT or apply that sends kRedacted back for a value keeps the stored value, so a client can
// read an object, change its labels and write it back without knowing (or wiping) its user data.
//
// Ownership: functions modify only the argument they are given. Thread-safety: reentrant.
#pragma once

#include <Poco/JSON/Object.h>

#include <string_view>

#include "framework/model/object.hpp"

namespace maasprov::api {

// Not valid base64, so a redacted value can never be stored as data by mistake.
inline constexpr std::string_view kRedacted = "<redacted>";

// Replaces user-data values of a stored document (any kind) in place; returns it.
Poco::JSON::Object::Ptr redact(Poco::JSON::Object::Ptr document);

// Replaces kRedacted values in `incoming` with the values `stored` holds for the same keys.
// Throws ApiError 400 naming the field when `stored` has no value to keep.
void restoreRedacted(model::Object& incoming, const model::Object& stored);

}  // namespace maasprov::api
