// Reading and decoding request bodies: the size limit (413 before reading more than the limit),
// the accepted media types (415 otherwise) and decoding into one model object (400 with the
// model's exact `path: message`).
//
// Ownership: returns values. Thread-safety: reentrant.
#pragma once

#include <Poco/Net/HTTPServerRequest.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "framework/model/object.hpp"

namespace maasprov::api {

// Reads the whole body. A declared Content-Length above `maxBytes` is refused before reading
// anything; a chunked body is read at most `maxBytes` + 1 bytes. Throws ApiError 413.
std::string readBody(Poco::Net::HTTPServerRequest& request, std::size_t maxBytes);

// Decodes a body holding exactly one object. `contentType` may be empty (JSON or YAML are then
// told apart by the text), JSON (`application/json`) or YAML (`application/yaml`,
// `application/x-yaml`, `text/yaml`, `application/apply-patch+yaml`), with parameters such as
// `; charset=utf-8`. Throws ApiError 415 for other media types, 400 for undecodable bodies.
model::Object decodeBody(std::string_view text, const std::string& contentType);

}  // namespace maasprov::api
