// The MAAS API key, "consumer:token:secret", as MAAS prints it (maas apikey --username=...).
//
// Ownership: value type. Thread-safety: immutable once parsed. The parts are secrets: nothing in
// this project may log, print or put them in an error message or a metric.
#pragma once

#include <string>

namespace maasprov::maas {

struct ApiKey {
  std::string consumer;
  std::string token;
  std::string secret;
};

// Splits a key into its three parts. Throws ConfigError naming `setting` when the key does not
// have exactly three non-empty parts; the message never quotes the key.
ApiKey parseApiKey(const std::string& key, const std::string& setting = "apiKey");

}  // namespace maasprov::maas
