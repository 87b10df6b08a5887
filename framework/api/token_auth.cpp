#include "framework/api/token_auth.hpp"

#include <Poco/SHA2Engine.h>
#include <Poco/String.h>

#include <stdexcept>

namespace maasprov::api {
namespace {

std::vector<unsigned char> sha256(const std::string& text) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(text);
  const auto& digest = engine.digest();
  return {digest.begin(), digest.end()};
}

}  // namespace

TokenAuth::TokenAuth(const std::string& token) {
  if (token.empty()) throw std::invalid_argument("token: expected a non-empty API token");
  digest_ = sha256(token);
}

TokenAuth::Result TokenAuth::check(const std::string& header) const {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size() ||
      Poco::icompare(header.substr(0, kScheme.size()), std::string(kScheme)) != 0) {
    return Result::Missing;
  }
  const std::string credential = Poco::trim(header.substr(kScheme.size()));
  if (credential.empty()) return Result::Missing;
  // Comparing fixed-size digests with every byte visited hides both content and length.
  const auto given = sha256(credential);
  unsigned char difference = 0;
  for (std::size_t i = 0; i < digest_.size(); ++i) difference |= given[i] ^ digest_[i];
  return difference == 0 ? Result::Ok : Result::Wrong;
}

}  // namespace maasprov::api
