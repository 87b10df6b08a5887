// Command-line options shared by the system benchmarks: `--name value` pairs, repeated
// `--set key=value` daemon overrides, and flags.
//
// Thread-safety: values only.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace maasprov::bench {

class Options {
 public:
  Options(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (a.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument: " + a);
      a = a.substr(2);
      auto eq = a.find('=');
      std::string value;
      if (eq != std::string::npos) {
        value = a.substr(eq + 1);
        a = a.substr(0, eq);
      } else if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
        value = argv[++i];
      } else {
        value = "true";
      }
      if (a == "set") {
        auto kv = value.find('=');
        if (kv == std::string::npos) throw std::invalid_argument("--set expects key=value");
        daemon_[value.substr(0, kv)] = value.substr(kv + 1);
      } else {
        values_[a] = value;
      }
    }
  }
  bool flag(const std::string& name) const { return values_.count(name) != 0; }
  std::string str(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  double num(const std::string& name, double fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : std::stod(it->second);
  }
  std::vector<int> ints(const std::string& name, const std::string& fallback) const {
    std::vector<int> out;
    std::string text = str(name, fallback);
    size_t start = 0;
    while (start <= text.size()) {
      auto comma = text.find(',', start);
      std::string part =
          text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty()) out.push_back(std::stoi(part));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return out;
  }
  const std::map<std::string, std::string>& daemon() const { return daemon_; }

 private:
  std::map<std::string, std::string> values_;
  std::map<std::string, std::string> daemon_;
};

}  // namespace maasprov::bench
