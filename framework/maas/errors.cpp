#include "framework/maas/errors.hpp"

#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <algorithm>

namespace maasprov::maas {
namespace {

// MAAS bodies can be whole HTML pages on proxy errors; keep messages readable.
std::string excerpt(const std::string& body) {
  constexpr std::size_t kMax = 300;
  std::string text = Poco::trim(body);
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

std::string describe(const std::string& endpoint, int status, const std::string& body) {
  std::string message = "MAAS " + endpoint + " answered " + std::to_string(status);
  const std::string text = excerpt(body);
  if (!text.empty()) message += ": " + text;
  return message;
}

std::map<std::string, std::vector<std::string>> parseFieldErrors(const std::string& body) {
  std::map<std::string, std::vector<std::string>> fields;
  const std::string text = Poco::trim(body);
  if (text.empty() || text.front() != '{') return fields;
  try {
    Poco::JSON::Parser parser;
    const auto object = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
    for (const auto& [name, value] : *object) {
      auto& messages = fields[name];
      if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
        const auto array = value.extract<Poco::JSON::Array::Ptr>();
        for (std::size_t i = 0; i < array->size(); ++i)
          messages.push_back(array->getElement<std::string>(i));
      } else if (!value.isEmpty()) {
        messages.push_back(value.convert<std::string>());
      }
    }
  } catch (const Poco::Exception&) {
    fields.clear();  // Not JSON after all: the body stays available as text.
  } catch (const std::bad_cast&) {
    fields.clear();
  }
  return fields;
}

bool startsWith(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

MaasError::MaasError(const std::string& endpoint, int status, std::string body)
    : std::runtime_error(describe(endpoint, status, body)),
      endpoint_(endpoint),
      status_(status),
      body_(std::move(body)) {}

BadRequest::BadRequest(const std::string& endpoint, int status, std::string body)
    : MaasError(endpoint, status, body), fieldErrors_(parseFieldErrors(body)) {}

Unavailable::Unavailable(const std::string& endpoint, int status, std::string body,
                         std::optional<std::chrono::seconds> retryAfter)
    : MaasError(endpoint, status, std::move(body)), retryAfter_(retryAfter) {}

bool isSuccess(const Response& response) {
  return response.status >= 200 && response.status < 300;
}

std::optional<std::string> headerValue(const Response& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (Poco::icompare(key, name) == 0) return value;
  }
  return std::nullopt;
}

std::optional<std::chrono::seconds> retryAfterOf(const Response& response) {
  const auto value = headerValue(response, "Retry-After");
  if (!value) return std::nullopt;
  const std::string text = Poco::trim(*value);
  unsigned seconds = 0;
  if (Poco::NumberParser::tryParseUnsigned(text, seconds)) return std::chrono::seconds(seconds);
  try {
    int tzd = 0;
    const Poco::DateTime when = Poco::DateTimeParser::parse(text, tzd);
    const auto delta = (when.timestamp() - Poco::Timestamp()) / Poco::Timestamp::resolution();
    return std::chrono::seconds(std::max<Poco::Timestamp::TimeDiff>(0, delta - tzd));
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

std::exception_ptr errorFor(const std::string& endpoint, const Response& response) {
  const int status = response.status;
  const std::string& body = response.body;
  if (isSuccess(response)) return nullptr;
  switch (status) {
    case 400:
      return std::make_exception_ptr(BadRequest(endpoint, status, body));
    case 401:
    case 403:
      return std::make_exception_ptr(Unauthorized(endpoint, status, body));
    case 404:
      return std::make_exception_ptr(NotFound(endpoint, status, body));
    case 409: {
      // MAAS's own texts for an allocation nothing satisfies (maasserver/api/machines.py).
      const std::string text = Poco::trim(body);
      if (startsWith(text, "No machine available") ||
          startsWith(text, "No available machine matches constraints")) {
        return std::make_exception_ptr(NoMatch(endpoint, status, body));
      }
      return std::make_exception_ptr(Conflict(endpoint, status, body));
    }
    case 503:
      return std::make_exception_ptr(Unavailable(endpoint, status, body, retryAfterOf(response)));
    default:
      return std::make_exception_ptr(ServerError(endpoint, status, body));
  }
}

void throwIfError(const std::string& endpoint, const Response& response) {
  if (auto error = errorFor(endpoint, response)) std::rethrow_exception(error);
}

}  // namespace maasprov::maas
