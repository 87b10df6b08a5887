#include "framework/maas/api_key.hpp"

#include <vector>

#include "framework/maas/errors.hpp"

namespace maasprov::maas {

ApiKey parseApiKey(const std::string& key, const std::string& setting) {
  std::vector<std::string> parts;
  std::string::size_type start = 0;
  for (;;) {
    const auto colon = key.find(':', start);
    parts.push_back(
        key.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  const std::string expected = "expected the MAAS API key as consumer:token:secret";
  if (parts.size() != 3) {
    throw ConfigError(setting + ": " + expected + " (three parts separated by ':'), got " +
                      std::to_string(parts.size()) + (parts.size() == 1 ? " part" : " parts"));
  }
  static const char* const kNames[] = {"consumer", "token", "secret"};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty())
      throw ConfigError(setting + ": " + expected + "; the " + kNames[i] + " part is empty");
  }
  return ApiKey{parts[0], parts[1], parts[2]};
}

}  // namespace maasprov::maas
