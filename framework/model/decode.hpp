// Decoding manifests (YAML or JSON text, or Poco JSON objects) into model objects.
//
// Decoding is strict: unknown fields, wrong types and foreign kinds are errors, thrown as
// DecodeError whose what() is `path: message` (see field_error.hpp), e.g.
// `spec.lxdConfig.storag: unknown field` or `spec.minCPU: expected integer, got string`.
// Decoding does not default or validate; call applyDefaults() and validate() after it.
//
// Ownership: returns values; never keeps references to its arguments. Thread-safety:
// reentrant, may be called concurrently.
#pragma once

#include <Poco/JSON/Object.h>

#include <string_view>
#include <vector>

#include "framework/model/field_error.hpp"
#include "framework/model/object.hpp"

namespace maasprov::model {

// Decodes one object from its JSON form. Throws DecodeError.
Object decodeObject(const Poco::JSON::Object::Ptr& json);

// Decodes every document of `text`: a YAML stream (documents separated by `---`; empty
// documents are skipped), a JSON object, or a JSON list of objects. A document of kind `List`,
// `MaasMachineList`, `MaasClusterList` or `SecretList` contributes its `items`. `source` names
// where the text came from (a file name, "request body"); when it is not empty, errors are prefixed
// with `source: document N: `. Without a source, the prefix is `document N: ` when the text holds
// more than one document, and nothing otherwise. Throws DecodeError.
std::vector<Object> decodeDocuments(std::string_view text, std::string_view source = {});

// Appends the object `json` describes to `objects`, or each item when it is a list kind (errors
// in items are reported as `items[N].path`). Throws DecodeError.
void decodeListOrObject(const Poco::JSON::Object::Ptr& json, std::vector<Object>& objects);

// Like decodeDocuments, but the text must hold exactly one object.
Object decodeDocument(std::string_view text, std::string_view source = {});

}  // namespace maasprov::model
