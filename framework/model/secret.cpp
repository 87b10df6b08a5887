#include "framework/model/secret.hpp"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>

#include <sstream>

namespace maasprov::model {
namespace {

bool isBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// Poco's decoder skips characters it does not expect and accepts missing padding, so the
// strict shape (alphabet, length multiple of 4, padding only at the end) is checked first.
bool isStrictBase64(std::string_view text) {
  if (text.size() % 4 != 0) return false;
  std::size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  for (std::size_t i = 0; i + padding < text.size(); ++i) {
    if (!isBase64Char(text[i])) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> secretValueBase64(const Secret& secret) {
  const auto it = secret.data.find(std::string(kSecretValueKey));
  if (it == secret.data.end()) return std::nullopt;
  return it->second;
}

std::string encodeBase64(std::string_view bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  encoder.close();
  return out.str();
}

std::optional<std::string> decodeBase64(std::string_view text) {
  if (!isStrictBase64(text)) return std::nullopt;
  std::istringstream in{std::string(text)};
  Poco::Base64Decoder decoder(in);
  std::ostringstream out;
  try {
    out << decoder.rdbuf();
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
  return out.str();
}

}  // namespace maasprov::model
