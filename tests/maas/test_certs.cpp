#include "test_certs.hpp"

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <stdexcept>

namespace maasprov::maas::testing {

CertPair makeSelfSignedCert(const std::string& dir, const std::string& stem,
                            const std::string& name, bool isIp) {
  CertPair pair{dir + "/" + stem + ".pem", dir + "/" + stem + ".key"};
  const std::string san = "subjectAltName=" + std::string(isIp ? "IP:" : "DNS:") + name;
  const Poco::Process::Args args = {"req",     "-x509",  "-newkey",     "rsa:2048", "-nodes",
                                    "-keyout", pair.key, "-out",        pair.cert,  "-days",
                                    "1",       "-subj",  "/CN=" + name, "-addext",  san};
  Poco::Pipe output;
  auto handle = Poco::Process::launch(OPENSSL_EXECUTABLE, args, nullptr, &output, &output);
  Poco::PipeInputStream in(output);
  std::string text;
  Poco::StreamCopier::copyToString(in, text);  // drain, so openssl never blocks on a full pipe
  if (const int rc = handle.wait(); rc != 0) {
    throw std::runtime_error("openssl req failed with " + std::to_string(rc) + ": " + text);
  }
  return pair;
}

}  // namespace maasprov::maas::testing
