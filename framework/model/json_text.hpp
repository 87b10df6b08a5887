// Reading JSON text into Poco's JSON tree and printing it back, quickly.
//
// Poco's parser builds its tree through a handler of Dynamic::Var values and takes several times
// as long as the SDK's reader (maasprov/json.hpp) for the same text; the host reads a stored
// object, or a plugin's result, on every reconcile. readObject() reads with the SDK's reader and
// converts, giving the tree Poco's parser gives for the same text. Whatever the conversion cannot
// carry for certain (non-integral numbers, integers beyond int64, NUL in strings) and every text
// the SDK's stricter reader refuses goes through Poco's parser, so results and errors stay Poco's.
// printObject() prints the text Poco's stringify prints (same member order, same escapes, but
// for lowercase hex in \u escapes of control characters), without Poco's stream and Var
// conversions; a tree holding what it does not print exactly (a double) is printed by Poco.
//
// Thread-safety: pure functions; the trees returned are new and owned by the caller.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>

namespace maasprov::model {

// The JSON object `text` holds, or null when `text` is JSON but not an object.
// Throws Poco::Exception (Poco's parser's) when `text` is not JSON at all.
Poco::JSON::Object::Ptr readObject(const std::string& text);

// The compact JSON text of `object`.
std::string printObject(const Poco::JSON::Object& object);

}  // namespace maasprov::model
