// Signs MAAS API requests with OAuth 1.0 PLAINTEXT, as MAAS expects:
//   Authorization: OAuth oauth_consumer_key="C", oauth_token="T", oauth_signature="&S",
//                  oauth_signature_method="PLAINTEXT", oauth_nonce="...", oauth_timestamp="..."
//
// Poco::Net::OAuth10Credentials builds the PLAINTEXT header but, in Poco 1.11, leaves out
// oauth_nonce and oauth_timestamp, which MAAS's OAuth validator requires; this class adds
// them (a fresh nonce of 32 random letters and digits, from a per-thread generator seeded from
// the system's entropy, and the current time) to each request.
//
// Ownership: holds a copy of the key. Thread-safety: sign() is const and may be called
// concurrently. Never log or print the object or the Authorization header it produces.
#pragma once

#include <Poco/Net/HTTPRequest.h>
#include <Poco/URI.h>

#include "framework/maas/api_key.hpp"

namespace maasprov::maas {

class OAuthSigner {
 public:
  explicit OAuthSigner(ApiKey key) : key_(std::move(key)) {}
  // Sets the Authorization header of `request`, addressed to `uri`.
  void sign(Poco::Net::HTTPRequest& request, const Poco::URI& uri) const;

 private:
  ApiKey key_;
};

}  // namespace maasprov::maas
