#include "framework/maas/request_encoding.hpp"

#include <Poco/Net/HTMLForm.h>
#include <Poco/URI.h>

#include <sstream>
#include <stdexcept>

namespace maasprov::maas {

EncodedRequest encodeRequest(const Request& request, const std::string& apiRootPath) {
  const std::string& method = request.method;
  const bool hasBody = method == "POST" || method == "PUT";
  if (!hasBody && method != "GET" && method != "DELETE") {
    throw std::invalid_argument("MAAS request method: expected GET, POST, PUT or DELETE, got '" +
                                method + "'");
  }
  if (request.path.empty() || request.path.front() == '/' ||
      request.path.find("..") != std::string::npos) {
    throw std::invalid_argument(
        "MAAS request path: expected a path relative to the API root such as 'machines/', got '" +
        request.path + "'");
  }

  Poco::URI uri;
  uri.setPath(apiRootPath + request.path);
  if (!request.op.empty()) uri.addQueryParameter("op", request.op);

  EncodedRequest encoded;
  encoded.method = method;
  if (hasBody) {
    Poco::Net::HTMLForm form;  // URL encoding; keeps every value of a repeated key.
    for (const auto& [key, value] : request.params) form.add(key, value);
    std::ostringstream body;
    form.write(body);
    encoded.body = body.str();
    encoded.contentType = "application/x-www-form-urlencoded";
  } else {
    for (const auto& [key, value] : request.params) uri.addQueryParameter(key, value);
  }
  encoded.pathAndQuery = uri.getPathEtc();
  return encoded;
}

}  // namespace maasprov::maas
