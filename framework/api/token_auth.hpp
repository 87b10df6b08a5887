// TokenAuth: checks `Authorization: Bearer <token>` headers against the configured API token.
//
// Only a SHA-256 digest of the token is kept, and digests are compared in constant time, so
// neither the comparison's duration nor a memory dump of this object reveals the token.
//
// Ownership: a value type. Thread-safety: immutable after construction; check() may be called
// concurrently.
#pragma once

#include <string>
#include <vector>

namespace maasprov::api {

class TokenAuth {
 public:
  enum class Result { Ok, Missing, Wrong };

  // Throws std::invalid_argument when `token` is empty.
  explicit TokenAuth(const std::string& token);

  // `header` is the raw Authorization header value ("" when absent). Missing: no header or not
  // a Bearer credential; Wrong: a Bearer credential that is not the token.
  Result check(const std::string& header) const;

 private:
  std::vector<unsigned char> digest_;
};

}  // namespace maasprov::api
