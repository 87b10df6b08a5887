#include "yaml_document.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

#include "inventory.hpp"

namespace maassim {

Poco::Dynamic::Var YamlToVar(const YAML::Node& n) {
  if (n.IsMap()) {
    auto obj = Poco::makeShared<Poco::JSON::Object>();
    for (const auto& kv : n) obj->set(kv.first.Scalar(), YamlToVar(kv.second));
    return obj;
  }
  if (n.IsSequence()) {
    auto arr = Poco::makeShared<Poco::JSON::Array>();
    for (const auto& item : n) arr->add(YamlToVar(item));
    return arr;
  }
  if (!n.IsDefined() || n.IsNull()) return Poco::Dynamic::Var();
  const std::string& s = n.Scalar();
  if (s == "true") return true;
  if (s == "false") return false;
  try {
    size_t used = 0;
    double d = std::stod(s, &used);
    if (used == s.size()) return d;
  } catch (const std::logic_error&) {
  }
  return s;
}

namespace {

// Builds the YAML::Node tree from the parser's events instead of YAML::LoadFile, which
// silently drops text after the first document ("[a],b]" loads as [a], and its LoadAll
// yields empty documents forever there), accepts an alias inside the node it names (a cycle
// every later walk recurses through until the stack overflows), and expands aliases without
// bound. Here: one document, duplicate keys refused, aliases only to finished nodes, and at
// most kMaxValues values with aliases expanded.
class NodeBuilder : public YAML::EventHandler {
 public:
  static constexpr std::size_t kMaxValues = 1'000'000;

  void OnDocumentStart(const YAML::Mark& mark) override {
    stack_.clear();
    anchors_.clear();
    root_.reset();
    count_ = 0;
    start_ = mark;
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Add(mark, YAML::Node(YAML::NodeType::Null), anchor, 1, "~");
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) throw YAML::ParserException(mark, "unknown alias");
    if (it->second.open) {
      throw YAML::ParserException(mark, "an alias inside the node it refers to (a cycle)");
    }
    Add(mark, it->second.node, YAML::NullAnchor, it->second.size, it->second.scalar);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    Add(mark, YAML::Node(value), anchor, 1, value);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, YAML::Node(YAML::NodeType::Sequence), anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, YAML::Node(YAML::NodeType::Map), anchor);
  }
  void OnMapEnd() override { Close(); }

  const YAML::Node& root() const { return root_; }
  const YAML::Mark& start() const { return start_; }

 private:
  struct Frame {
    YAML::Node node;
    YAML::anchor_t anchor = YAML::NullAnchor;
    std::size_t count_at_start = 0;
    std::set<std::string> keys;
    std::optional<std::string> key;  // a mapping's key waiting for its value
  };
  struct Anchored {
    YAML::Node node;
    std::size_t size = 0;  // values it stands for once expanded
    bool open = true;
    std::optional<std::string> scalar;
  };

  bool ExpectingKey() const {
    return !stack_.empty() && stack_.back().node.IsMap() && !stack_.back().key;
  }

  void Count(const YAML::Mark& mark, std::size_t n) {
    count_ += n;
    if (count_ > kMaxValues) {
      throw YAML::ParserException(mark, "more than " + std::to_string(kMaxValues) +
                                            " values (aliases expanded); expected a smaller "
                                            "inventory");
    }
  }

  void Add(const YAML::Mark& mark, YAML::Node node, YAML::anchor_t anchor, std::size_t size,
           const std::optional<std::string>& scalar) {
    if (ExpectingKey()) {
      if (!scalar) throw YAML::ParserException(mark, "expected a string as mapping key");
      Frame& frame = stack_.back();
      if (!frame.keys.insert(*scalar).second) {
        throw YAML::ParserException(mark, "duplicate key '" + *scalar + "'");
      }
      frame.key = *scalar;
      Remember(anchor, {node, 1, false, scalar});
      return;
    }
    Count(mark, size);
    Remember(anchor, {node, size, false, scalar});
    Attach(node);
  }

  void Open(const YAML::Mark& mark, YAML::Node node, YAML::anchor_t anchor) {
    if (ExpectingKey()) throw YAML::ParserException(mark, "expected a string as mapping key");
    Count(mark, 1);
    Remember(anchor, {node, 0, true, std::nullopt});
    stack_.push_back(Frame{node, anchor, count_, {}, std::nullopt});
  }

  void Close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    if (frame.anchor != YAML::NullAnchor) {
      Anchored& a = anchors_[frame.anchor];
      a.open = false;
      a.size = count_ - frame.count_at_start + 1;
    }
    Attach(frame.node);
  }

  // YAML::Node's operator= rewrites the node it refers to (and so every place sharing it);
  // entries are replaced whole and nodes rebound with reset() instead.
  void Remember(YAML::anchor_t anchor, Anchored anchored) {
    if (anchor == YAML::NullAnchor) return;
    anchors_.erase(anchor);
    anchors_.emplace(anchor, std::move(anchored));
  }

  void Attach(const YAML::Node& node) {
    if (stack_.empty()) {
      root_.reset(node);
      return;
    }
    Frame& frame = stack_.back();
    if (frame.node.IsSequence()) {
      frame.node.push_back(node);
    } else {
      frame.node.force_insert(*frame.key, node);
      frame.key.reset();
    }
  }

  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Anchored> anchors_;
  YAML::Node root_;
  std::size_t count_ = 0;
  YAML::Mark start_;
};

// Inventories are kilobytes; a few MiB is already 10,000s of machines.
constexpr std::uintmax_t kMaxInventoryBytes = 16u << 20;

std::string At(const YAML::Mark& mark) {
  return mark.is_null() ? std::string()
                        : "line " + std::to_string(mark.line + 1) + ", column " +
                              std::to_string(mark.column + 1) + ": ";
}

// yaml-cpp would take a UTF-16 or UTF-32 byte order mark, and passes bytes that are not UTF-8
// through into names the simulator then serves as JSON: refuse both, and control characters.
void CheckUtf8Text(const std::string& path, const std::string& text) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = c < 0x80             ? 1
                    : (c & 0xE0) == 0xC0 ? 2
                    : (c & 0xF0) == 0xE0 ? 3
                    : (c & 0xF8) == 0xF0 ? 4
                                         : 0;
    uint32_t cp = n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    bool ok = n != 0 && i + n <= text.size();
    for (std::size_t k = 1; ok && k < n; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      ok = (next & 0xC0) == 0x80;
      cp = (cp << 6) | (next & 0x3F);
    }
    static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (ok && n > 1) ok = cp >= kMin[n] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    const bool control = n == 1 && ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F);
    if (!ok || control) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02X", c);
      throw InventoryError(path + ": line " + std::to_string(line) + ": byte " + byte +
                           (control ? " is a control character" : " is not UTF-8") +
                           "; expected a UTF-8 text file (YAML or JSON)");
    }
    if (c == '\n') ++line;
    i += n;
  }
}

}  // namespace

YAML::Node LoadYamlFile(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    throw InventoryError(path + ": cannot read the inventory file (it does not exist)");
  }
  if (!std::filesystem::is_regular_file(status)) {
    throw InventoryError(
        path + ": expected an inventory file, got " +
        (std::filesystem::is_directory(status) ? "a directory" : "a special file"));
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxInventoryBytes) {
    throw InventoryError(path + ": " + std::to_string(size) +
                         " bytes; expected an inventory of at most " +
                         std::to_string(kMaxInventoryBytes) + " bytes");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) throw InventoryError(path + ": cannot read the inventory file");
  const std::string text{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  if (file.bad()) throw InventoryError(path + ": cannot read the inventory file");
  CheckUtf8Text(path, text);
  std::istringstream in(text);
  YAML::Parser parser(in);
  NodeBuilder builder;
  YAML::Node root;
  std::optional<std::size_t> previous_start;
  try {
    while (parser.HandleNextDocument(builder)) {
      // A document starting where the previous one did: the parser is stuck on text it cannot
      // consume and would yield empty documents forever.
      const YAML::Mark& start = builder.start();
      if (previous_start && *previous_start == static_cast<std::size_t>(start.pos)) {
        throw YAML::ParserException(start, "unexpected text after the inventory");
      }
      previous_start = static_cast<std::size_t>(start.pos);
      if (builder.root().IsNull() || !builder.root().IsDefined()) continue;
      if (root.IsDefined() && !root.IsNull()) {
        throw YAML::ParserException(start, "a second YAML document; expected one inventory");
      }
      root.reset(builder.root());
    }
  } catch (const YAML::DeepRecursion& e) {
    throw InventoryError(path + ": " + At(e.mark) +
                         "expected valid YAML or JSON (nested too deeply)");
  } catch (const YAML::Exception& e) {
    throw InventoryError(path + ": " + At(e.mark) + "expected valid YAML or JSON (" + e.msg + ")");
  }
  return root;
}

}  // namespace maassim
