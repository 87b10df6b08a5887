// JSON values from YAML text (see yaml_json.hpp).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <sstream>

#include "framework/model/field_error.hpp"
#include "framework/model/yaml_json.hpp"
#include "framework/model/yaml_scalar.hpp"

namespace maasprov::model {
namespace {

// Builds Poco JSON straight from the parser's events rather than through YAML::Node: that lets
// it count values as aliases expand, and lets the caller stop a parser that makes no progress
// (yaml-cpp 0.7's LoadAll loops forever on input such as `[a],b]`).
//
// The first error inside a document is kept (not thrown) and the rest of that document ignored,
// so the caller can go on counting documents and say which one failed.
class JsonBuilder : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    stack_.clear();
    root_ = {};
    count_ = 0;
    start_ = mark;
    error_.reset();
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override {
    guard([&] {
      if (expectingKey()) throw DecodeError(stack_.back().path, "mapping keys must be strings");
      countValues(1);
      remember(anchor, {}, 1, std::nullopt);
      add({});
    });
  }

  void OnAlias(const YAML::Mark&, YAML::anchor_t anchor) override {
    guard([&] {
      const auto it = anchors_.find(anchor);
      if (it == anchors_.end()) throw DecodeError(currentPath(), "unknown alias");
      const Anchored& anchored = it->second;
      if (expectingKey()) {
        if (!anchored.raw) throw DecodeError(stack_.back().path, "mapping keys must be strings");
        setKey(*anchored.raw);
        return;
      }
      countValues(anchored.size);
      add(anchored.value);
    });
  }

  void OnScalar(const YAML::Mark&, const std::string& tag, YAML::anchor_t anchor,
                const std::string& text) override {
    guard([&] {
      if (expectingKey()) {
        remember(anchor, Poco::Dynamic::Var(text), 1, text);
        setKey(text);
        return;
      }
      countValues(1);
      Poco::Dynamic::Var value = resolveScalar(tag, text, currentPath());
      remember(anchor, value, 1, text);
      add(std::move(value));
    });
  }

  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    guard([&] {
      Frame frame = open(anchor);
      frame.array = Poco::makeShared<Poco::JSON::Array>();
      stack_.push_back(std::move(frame));
    });
  }
  void OnSequenceEnd() override {
    guard([&] { close(); });
  }

  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    guard([&] {
      Frame frame = open(anchor);
      frame.object = Poco::makeShared<Poco::JSON::Object>(Poco::JSON_PRESERVE_KEY_ORDER);
      stack_.push_back(std::move(frame));
    });
  }
  void OnMapEnd() override {
    guard([&] { close(); });
  }

  const Poco::Dynamic::Var& root() const { return root_; }
  const YAML::Mark& start() const { return start_; }
  const std::optional<DecodeError>& error() const { return error_; }

 private:
  struct Frame {
    Poco::JSON::Object::Ptr object;  // exactly one of object and array is set
    Poco::JSON::Array::Ptr array;
    std::string path;
    std::optional<std::string> key;  // a map's key waiting for its value
    YAML::anchor_t anchor = YAML::NullAnchor;
    std::size_t countAtStart = 0;
  };
  struct Anchored {
    Poco::Dynamic::Var value;
    std::size_t size = 0;            // values it stands for once expanded
    std::optional<std::string> raw;  // a scalar's text, usable as a key
  };

  template <typename F>
  void guard(F&& handle) {
    if (error_) return;  // the document already failed: ignore the rest of it
    try {
      handle();
    } catch (const DecodeError& e) {
      error_ = e;
    }
  }

  bool expectingKey() const {
    return !stack_.empty() && stack_.back().object && !stack_.back().key;
  }

  std::string currentPath() const {
    if (stack_.empty()) return {};
    const Frame& frame = stack_.back();
    if (frame.array) return indexPath(frame.path, frame.array->size());
    return childPath(frame.path, frame.key.value_or(""));
  }

  void countValues(std::size_t n) {
    count_ += n;
    if (count_ > kMaxValuesPerDocument) {
      throw DecodeError(
          "", "document too large: more than " + std::to_string(kMaxValuesPerDocument) + " values");
    }
  }

  void remember(YAML::anchor_t anchor, Poco::Dynamic::Var value, std::size_t size,
                std::optional<std::string> raw) {
    if (anchor == YAML::NullAnchor) return;
    anchors_[anchor] = Anchored{std::move(value), size, std::move(raw)};
  }

  void setKey(const std::string& key) {
    Frame& frame = stack_.back();
    if (frame.object->has(key)) throw DecodeError(childPath(frame.path, key), "duplicate key");
    frame.key = key;
  }

  Frame open(YAML::anchor_t anchor) {
    if (expectingKey()) throw DecodeError(stack_.back().path, "mapping keys must be strings");
    countValues(1);
    Frame frame;
    frame.path = currentPath();
    frame.anchor = anchor;
    frame.countAtStart = count_;
    return frame;
  }

  void close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    Poco::Dynamic::Var value;
    if (frame.object) {
      value = frame.object;
    } else {
      value = frame.array;
    }
    remember(frame.anchor, value, count_ - frame.countAtStart + 1, std::nullopt);
    add(std::move(value));
  }

  void add(Poco::Dynamic::Var value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return;
    }
    Frame& frame = stack_.back();
    if (frame.array) {
      frame.array->add(std::move(value));
    } else {
      frame.object->set(*frame.key, std::move(value));
      frame.key.reset();
    }
  }

  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Anchored> anchors_;
  Poco::Dynamic::Var root_;
  std::size_t count_ = 0;
  YAML::Mark start_;
  std::optional<DecodeError> error_;
};

std::string where(const YAML::Mark& mark) {
  if (mark.is_null()) return {};
  return " at line " + std::to_string(mark.line + 1) + ", column " +
         std::to_string(mark.column + 1);
}

}  // namespace

std::vector<Poco::Dynamic::Var> parseYamlDocuments(std::string_view text, std::string_view source) {
  std::istringstream input{std::string(text)};
  YAML::Parser parser(input);
  JsonBuilder builder;
  std::vector<Poco::Dynamic::Var> documents;
  std::optional<DecodeError> failure;  // the first error inside a document
  std::size_t failedDocument = 0;
  std::size_t real = 0;  // documents that are not empty
  std::optional<std::size_t> previousStart;
  try {
    while (parser.HandleNextDocument(builder)) {
      // A document that starts where the previous one did means the parser is stuck on text it
      // cannot consume; yaml-cpp would yield empty documents forever.
      const YAML::Mark& start = builder.start();
      if (previousStart && *previousStart == static_cast<std::size_t>(start.pos)) {
        throw YAML::ParserException(start, "unexpected text");
      }
      previousStart = static_cast<std::size_t>(start.pos);
      documents.push_back(builder.root());
      if (builder.error() && !failure) {
        failure = builder.error();
        failedDocument = documents.size();
      }
      if (builder.error() || !builder.root().isEmpty()) ++real;
    }
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own message for this is "bad file".
    if (!failure) throw DecodeError("", "invalid YAML: nested too deeply").locatedIn(source, 0, 1);
  } catch (const YAML::Exception& e) {
    if (!failure) {
      throw DecodeError("", "invalid YAML" + where(e.mark) + ": " + e.msg).locatedIn(source, 0, 1);
    }
    ++real;  // the document that failed to parse counts too
  }
  if (failure) throw failure->locatedIn(source, static_cast<int>(failedDocument), real);
  return documents;
}

}  // namespace maasprov::model
