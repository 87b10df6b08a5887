#include "framework/model/label_selector.hpp"

#include <algorithm>
#include <cctype>

#include "framework/model/name_rules.hpp"

namespace maasprov::model {
namespace {

bool isWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.' ||
         c == '/';
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::vector<LabelSelector::Requirement> parse() {
    std::vector<LabelSelector::Requirement> requirements;
    skipSpaces();
    if (pos_ == text_.size()) return requirements;
    while (true) {
      requirements.push_back(requirement());
      skipSpaces();
      if (pos_ == text_.size()) return requirements;
      expect(',', "\",\" between requirements");
    }
  }

 private:
  LabelSelector::Requirement requirement() {
    skipSpaces();
    LabelSelector::Requirement r;
    if (peek() == '!') {
      ++pos_;
      r.key = key("a label key after \"!\"");
      r.op = LabelSelector::Operator::DoesNotExist;
      return r;
    }
    r.key = key("a label key");
    skipSpaces();
    const std::size_t opStart = pos_;
    if (atEnd() || peek() == ',') {
      r.op = LabelSelector::Operator::Exists;
    } else if (consume("==") || consume("=")) {
      r.op = LabelSelector::Operator::Equals;
      r.values.push_back(value());
    } else if (consume("!=")) {
      r.op = LabelSelector::Operator::NotEquals;
      r.values.push_back(value());
    } else {
      const std::string word = this->word();
      if (word == "in" || word == "notin") {
        r.op = word == "in" ? LabelSelector::Operator::In : LabelSelector::Operator::NotIn;
        r.values = valueSet(word);
      } else {
        pos_ = opStart;
        fail(
            "expected an operator (=, ==, !=, in, notin), \",\" or the end after \"" + r.key + "\"",
            opStart);
      }
    }
    return r;
  }

  std::string key(const std::string& what) {
    skipSpaces();
    const std::size_t start = pos_;
    std::string key = word();
    if (key.empty()) fail("expected " + what, start);
    if (const auto problem = checkQualifiedName(key); !problem.empty()) fail(problem, start);
    return key;
  }

  std::string value() {
    skipSpaces();
    const std::size_t start = pos_;
    std::string value = word();
    if (const auto problem = checkLabelValue(value); !problem.empty()) fail(problem, start);
    return value;
  }

  std::vector<std::string> valueSet(const std::string& op) {
    skipSpaces();
    expect('(', "\"(\" after \"" + op + "\"");
    std::vector<std::string> values;
    while (true) {
      skipSpaces();
      const std::size_t start = pos_;
      std::string v = value();
      if (v.empty()) fail("expected a value in the \"" + op + "\" list", start);
      values.push_back(std::move(v));
      skipSpaces();
      if (peek() == ')') {
        ++pos_;
        return values;
      }
      expect(',', "\",\" or \")\"");
    }
  }

  std::string word() {
    const std::size_t start = pos_;
    while (!atEnd() && isWordChar(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  bool consume(std::string_view token) {
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }

  void expect(char c, const std::string& what) {
    skipSpaces();
    if (peek() != c) fail("expected " + what, pos_);
    ++pos_;
  }

  void skipSpaces() {
    while (!atEnd() && text_[pos_] == ' ') ++pos_;
  }
  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return atEnd() ? '\0' : text_[pos_]; }

  [[noreturn]] void fail(const std::string& problem, std::size_t position) const {
    throw LabelSelectorError("invalid label selector \"" + std::string(text_) + "\": " + problem +
                             " at position " + std::to_string(position + 1));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

LabelSelector LabelSelector::parse(std::string_view text) {
  LabelSelector selector;
  selector.requirements_ = Parser(text).parse();
  return selector;
}

bool LabelSelector::matches(const std::map<std::string, std::string>& labels) const {
  return std::all_of(requirements_.begin(), requirements_.end(), [&](const Requirement& r) {
    const auto it = labels.find(r.key);
    const bool present = it != labels.end();
    const auto listed = [&] {
      return present && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
    };
    switch (r.op) {
      case Operator::Exists:
        return present;
      case Operator::DoesNotExist:
        return !present;
      case Operator::Equals:
      case Operator::In:
        return listed();
      case Operator::NotEquals:
      case Operator::NotIn:
        return !listed();
    }
    return false;
  });
}

std::string LabelSelector::str() const {
  std::string text;
  for (const auto& r : requirements_) {
    if (!text.empty()) text += ',';
    switch (r.op) {
      case Operator::Exists:
        text += r.key;
        break;
      case Operator::DoesNotExist:
        text += "!" + r.key;
        break;
      case Operator::Equals:
        text += r.key + "=" + r.values.front();
        break;
      case Operator::NotEquals:
        text += r.key + "!=" + r.values.front();
        break;
      case Operator::In:
      case Operator::NotIn: {
        text += r.key + (r.op == Operator::In ? " in (" : " notin (");
        for (std::size_t i = 0; i < r.values.size(); ++i) text += (i ? "," : "") + r.values[i];
        text += ")";
        break;
      }
    }
  }
  return text;
}

}  // namespace maasprov::model
