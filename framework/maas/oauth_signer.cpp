#include "framework/maas/oauth_signer.hpp"

#include <Poco/Net/OAuth10Credentials.h>
#include <Poco/Timestamp.h>

#include <random>

namespace maasprov::maas {
namespace {

// 32 random letters and digits, as Poco's createNonce() makes them. Poco's opens, reads and
// closes /dev/urandom for every nonce (1.5 % of the daemon's CPU with 1,000 machines in
// flight); each thread here seeds a generator of its own from the system's entropy once.
std::string freshNonce() {
  thread_local std::mt19937_64 generator = [] {
    std::random_device entropy;
    std::seed_seq seed{entropy(), entropy(), entropy(), entropy(),
                       entropy(), entropy(), entropy(), entropy()};
    return std::mt19937_64(seed);
  }();
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
  std::string nonce(32, '0');
  for (char& c : nonce) c = kAlphabet[pick(generator)];
  return nonce;
}

// Gives access to Poco's percent-encoder, which is protected.
class Credentials : public Poco::Net::OAuth10Credentials {
 public:
  using Poco::Net::OAuth10Credentials::OAuth10Credentials;

  void authenticatePlaintext(Poco::Net::HTTPRequest& request, const Poco::URI& uri) {
    authenticate(request, uri, SIGN_PLAINTEXT);
    const auto seconds = Poco::Timestamp().epochTime();
    std::string header = request.get(Poco::Net::HTTPRequest::AUTHORIZATION);
    header += ", oauth_nonce=\"" + percentEncode(freshNonce()) + "\"";
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
