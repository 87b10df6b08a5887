// Request parameters in arrival order (query string, then form body) and the error type every
// simulated MAAS operation throws to produce a non-200 answer.
//
// Ownership: plain values. Thread-safety: none needed; each request owns its Params.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace maassim {

class Params {
 public:
  void Add(std::string key, std::string value) {
    items_.emplace_back(std::move(key), std::move(value));
  }
  bool Has(const std::string& key) const {
    for (const auto& [k, v] : items_)
      if (k == key) return true;
    return false;
  }
  // The last value given for `key` (Django's QueryDict.get), or `def`.
  std::string Get(const std::string& key, const std::string& def = "") const {
    std::string out = def;
    for (const auto& [k, v] : items_)
      if (k == key) out = v;
    return out;
  }
  std::vector<std::string> GetAll(const std::string& key) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : items_)
      if (k == key) out.push_back(v);
    return out;
  }
  // Distinct keys in order of first appearance.
  std::vector<std::string> Keys() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : items_) {
      bool seen = false;
      for (const auto& o : out) seen |= o == k;
      if (!seen) out.push_back(k);
    }
    return out;
  }
  const std::vector<std::pair<std::string, std::string>>& Items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// A MAAS error answer: status, body, and whether the body is JSON (form errors) or plain text.
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string body, bool json = false)
      : std::runtime_error(body), status_(status), json_(json) {}
  int status() const { return status_; }
  bool json() const { return json_; }

 private:
  int status_;
  bool json_;
};

// Builds the JSON body MAAS sends for form validation errors: {"field": ["message"]}.
std::string FieldError(const std::string& field, const std::string& message);

}  // namespace maassim
