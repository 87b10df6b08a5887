// Errors that name the field they are about: FieldError (one validation finding) and
// DecodeError (the exception thrown when a document cannot be read into an object).
//
// Ownership: plain values, copied freely. Thread-safety: immutable after construction, so
// instances may be shared between threads; the free functions are reentrant.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace maasprov::model {

// One validation finding. `path` is the field path in the object as users write it
// (`spec.lxdConfig.storage.size`, `spec.tags[2]`, `metadata.labels[app]`); str() gives
// `path: message`, the format every error of the resource model uses.
struct FieldError {
  std::string path;
  std::string message;

  std::string str() const;
  bool operator==(const FieldError&) const = default;
};

// Joins the errors' str() with `separator` (a newline by default).
std::string joinErrors(const std::vector<FieldError>& errors, std::string_view separator = "\n");

// Path helpers: childPath("spec", "image") == "spec.image", indexPath("spec.tags", 2) ==
// "spec.tags[2]", keyPath("metadata.labels", "app") == "metadata.labels[app]".
std::string childPath(std::string_view parent, std::string_view field);
std::string indexPath(std::string_view parent, std::size_t index);
std::string keyPath(std::string_view parent, std::string_view key);

// Thrown when text or JSON cannot be decoded into a model object.
//
// what() is exactly `path: message` (or just `message` when the error concerns the document as
// a whole, e.g. a syntax error). When the document came from a named source, what() is prefixed
// with `source: document N: ` (N counts documents from 1), so errors from a file name the file
// and the document. The parts stay available through the accessors.
class DecodeError : public std::runtime_error {
 public:
  DecodeError(std::string path, std::string message);

  // The same error, located in document `document` (1-based; 0 = unknown) of `source`.
  DecodeError located(std::string source, int document) const;

  // The same error located by the rule of decodeDocuments(): with a source,
  // `source: document N: `; without one, `document N: ` only when the text holds more than one
  // document (`documents`), so a single object's errors read exactly `path: message`.
  DecodeError locatedIn(std::string_view source, int document, std::size_t documents) const;

  const std::string& path() const noexcept { return path_; }
  const std::string& message() const noexcept { return message_; }
  const std::string& source() const noexcept { return source_; }
  int document() const noexcept { return document_; }

 private:
  DecodeError(std::string path, std::string message, std::string source, int document);

  std::string path_;
  std::string message_;
  std::string source_;
  int document_ = 0;
};

}  // namespace maasprov::model
