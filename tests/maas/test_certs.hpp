// Self-signed TLS certificates made at test time with the openssl CLI (OPENSSL_EXECUTABLE).
//
// Free function; thread-safe (each call writes its own files).
#pragma once

#include <string>

namespace maasprov::maas::testing {

struct CertPair {
  std::string cert;  // PEM certificate, also usable as the CA file that trusts it
  std::string key;   // PEM private key
};

// Writes <dir>/<stem>.pem and <dir>/<stem>.key for `name`, an IP address (isIp) or a DNS name.
// Throws std::runtime_error when openssl fails.
CertPair makeSelfSignedCert(const std::string& dir, const std::string& stem,
                            const std::string& name, bool isIp);

}  // namespace maasprov::maas::testing
