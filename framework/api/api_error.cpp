#include "framework/api/api_error.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/UTF8Encoding.h>

#include <utility>

#include "framework/store/errors.hpp"

namespace maasprov::api {

ApiError::ApiError(int code, std::string reason, std::string message,
                   std::vector<model::FieldError> causes)
    : std::runtime_error(std::move(message)),
      code_(code),
      reason_(std::move(reason)),
      causes_(std::move(causes)) {}

namespace {

// Messages may quote client bytes (an unsupported kind, a path): replace every invalid UTF-8
// sequence with U+FFFD so the Status stays valid JSON.
std::string validUtf8(const std::string& text) {
  Poco::UTF8Encoding utf8;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const int length = utf8.sequenceLength(bytes + i, static_cast<int>(text.size() - i));
    if (length > 0 && i + static_cast<std::size_t>(length) <= text.size() &&
        Poco::UTF8Encoding::isLegal(bytes + i, length) &&
        utf8.queryConvert(bytes + i, length) >= 0) {
      out.append(text, i, static_cast<std::size_t>(length));
      i += static_cast<std::size_t>(length);
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

Poco::JSON::Object::Ptr status(const std::string& outcome, int code, const std::string& message) {
  auto doc = Poco::makeShared<Poco::JSON::Object>(Poco::JSON_PRESERVE_KEY_ORDER);
  doc->set("kind", "Status");
  doc->set("apiVersion", "v1");
  doc->set("status", outcome);
  doc->set("message", validUtf8(message));
  doc->set("code", code);
  return doc;
}

}  // namespace

Poco::JSON::Object::Ptr statusFor(const ApiError& error) {
  auto doc = status("Failure", error.code(), error.what());
  doc->set("reason", error.reason());
  if (!error.causes().empty()) {
    auto causes = Poco::makeShared<Poco::JSON::Array>();
    for (const auto& cause : error.causes()) {
      auto item = Poco::makeShared<Poco::JSON::Object>(Poco::JSON_PRESERVE_KEY_ORDER);
      item->set("field", validUtf8(cause.path));
      item->set("message", validUtf8(cause.message));
      causes->add(item);
    }
    auto details = Poco::makeShared<Poco::JSON::Object>();
    details->set("causes", causes);
    doc->set("details", details);
  }
  return doc;
}

Poco::JSON::Object::Ptr successStatus(int code, const std::string& message) {
  return status("Success", code, message);
}

ApiError errorFrom(const std::exception& error) {
  if (const auto* api = dynamic_cast<const ApiError*>(&error)) return *api;
  if (dynamic_cast<const store::NotFound*>(&error)) return {404, "NotFound", error.what()};
  if (dynamic_cast<const store::AlreadyExists*>(&error)) {
    return {409, "AlreadyExists", error.what()};
  }
  if (dynamic_cast<const store::Conflict*>(&error)) return {409, "Conflict", error.what()};
  if (dynamic_cast<const store::Invalid*>(&error)) return {400, "BadRequest", error.what()};
  if (dynamic_cast<const store::Expired*>(&error)) return {410, "Expired", error.what()};
  if (const auto* decode = dynamic_cast<const model::DecodeError*>(&error)) {
    std::vector<model::FieldError> causes;
    if (!decode->path().empty()) causes.push_back({decode->path(), decode->message()});
    return {400, "BadRequest", error.what(), std::move(causes)};
  }
  if (dynamic_cast<const store::StoreError*>(&error)) return {500, "InternalError", error.what()};
  return {500, "InternalError", std::string("internal error: ") + error.what()};
}

}  // namespace maasprov::api
