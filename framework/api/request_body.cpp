#include "framework/api/request_body.hpp"

#include <Poco/String.h>

#include <istream>

#include "framework/api/api_error.hpp"
#include "framework/model/decode.hpp"

namespace maasprov::api {
namespace {

enum class Media { Sniff, Json, Yaml };

Media mediaOf(const std::string& contentType) {
  const std::string media = Poco::toLower(Poco::trim(contentType.substr(0, contentType.find(';'))));
  if (media.empty()) return Media::Sniff;
  if (media == "application/json") return Media::Json;
  if (media == "application/yaml" || media == "application/x-yaml" || media == "text/yaml" ||
      media == "text/x-yaml" || media == "application/apply-patch+yaml") {
    return Media::Yaml;
  }
  throw ApiError(
      415, "UnsupportedMediaType",
      "Content-Type \"" + media + "\" is not supported: send application/json or application/yaml");
}

ApiError tooLarge(std::size_t maxBytes) {
  return {413, "RequestEntityTooLarge",
          "request body is larger than the limit of " + std::to_string(maxBytes) + " bytes"};
}

}  // namespace

std::string readBody(Poco::Net::HTTPServerRequest& request, std::size_t maxBytes) {
  const auto declared = request.getContentLength64();
  if (declared != Poco::Net::HTTPMessage::UNKNOWN_CONTENT_LENGTH &&
      static_cast<std::uint64_t>(declared) > maxBytes) {
    throw tooLarge(maxBytes);
  }
  std::string body;
  std::istream& in = request.stream();
  char buffer[8192];
  while (in) {
    in.read(buffer, sizeof buffer);
    body.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (body.size() > maxBytes) throw tooLarge(maxBytes);
  }
  return body;
}

model::Object decodeBody(std::string_view text, const std::string& contentType) {
  const Media media = mediaOf(contentType);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    throw ApiError(400, "BadRequest", "request body: expected one object, got an empty body");
  }
  if (media == Media::Json && text[first] != '{') {
    throw ApiError(400, "BadRequest",
                   "request body: expected a JSON object (Content-Type is application/json)");
  }
  try {
    return model::decodeDocument(text);
  } catch (const model::DecodeError& error) {
    throw errorFrom(error);
  }
}

}  // namespace maasprov::api
