#include "framework/maas/oauth_signer.hpp"

#include <Poco/Net/OAuth10Credentials.h>
#include <Poco/Timestamp.h>

namespace maasprov::maas {
namespace {

// Gives access to Poco's nonce generator and percent-encoder, which are protected.
class Credentials : public Poco::Net::OAuth10Credentials {
 public:
  using Poco::Net::OAuth10Credentials::OAuth10Credentials;

  void authenticatePlaintext(Poco::Net::HTTPRequest& request, const Poco::URI& uri) {
    authenticate(request, uri, SIGN_PLAINTEXT);
    const auto seconds = Poco::Timestamp().epochTime();
    std::string header = request.get(Poco::Net::HTTPRequest::AUTHORIZATION);
    header += ", oauth_nonce=\"" + percentEncode(createNonce()) + "\"";
    header += ", oauth_timestamp=\"" + std::to_string(seconds) + "\"";
    request.set(Poco::Net::HTTPRequest::AUTHORIZATION, header);
  }
};

}  // namespace

void OAuthSigner::sign(Poco::Net::HTTPRequest& request, const Poco::URI& uri) const {
  // MAAS keys have an empty consumer secret: the signature is "&" + token secret.
  Credentials credentials(key_.consumer, "", key_.token, key_.secret);
  credentials.authenticatePlaintext(request, uri);
}

}  // namespace maasprov::maas
