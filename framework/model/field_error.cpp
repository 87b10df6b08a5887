#include "framework/model/field_error.hpp"

#include <utility>

namespace maasprov::model {
namespace {

std::string compose(const std::string& path, const std::string& message, const std::string& source,
                    int document) {
  std::string text;
  if (!source.empty()) text += source + ": ";
  if (document > 0) text += "document " + std::to_string(document) + ": ";
  if (!path.empty()) text += path + ": ";
  return text + message;
}

}  // namespace

std::string FieldError::str() const {
  return path.empty() ? message : path + ": " + message;
}

std::string joinErrors(const std::vector<FieldError>& errors, std::string_view separator) {
  std::string text;
  for (const auto& error : errors) {
    if (!text.empty()) text += separator;
    text += error.str();
  }
  return text;
}

std::string childPath(std::string_view parent, std::string_view field) {
  if (parent.empty()) return std::string(field);
  std::string path(parent);
  path += '.';
  path += field;
  return path;
}

std::string indexPath(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string keyPath(std::string_view parent, std::string_view key) {
  return std::string(parent) + "[" + std::string(key) + "]";
}

DecodeError::DecodeError(std::string path, std::string message)
    : DecodeError(std::move(path), std::move(message), {}, 0) {}

DecodeError::DecodeError(std::string path, std::string message, std::string source, int document)
    : std::runtime_error(compose(path, message, source, document)),
      path_(std::move(path)),
      message_(std::move(message)),
      source_(std::move(source)),
      document_(document) {}

DecodeError DecodeError::located(std::string source, int document) const {
  return DecodeError(path_, message_, std::move(source), document);
}

DecodeError DecodeError::locatedIn(std::string_view source, int document,
                                   std::size_t documents) const {
  if (source.empty() && documents <= 1) return *this;
  return located(std::string(source), document);
}

}  // namespace maasprov::model
