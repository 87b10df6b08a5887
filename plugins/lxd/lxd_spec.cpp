#include "lxd_spec.hpp"

#include <cctype>
#include <limits>

#include "maasprov/error.hpp"

namespace maasprov::lxd {
namespace {

void checkString(const json::Value& obj, const char* key, const std::string& path, std::string& out,
                 std::vector<std::string>& errors) {
  const json::Value* v = obj.find(key);
  if (v == nullptr || v->isNull()) return;
  if (!v->isString() || v->asString().empty()) {
    errors.push_back(path + ": expected a non-empty string, got " + v->dump());
    return;
  }
  out = v->asString();
}

const json::Value* objectAt(const json::Value& obj, const char* key, const std::string& path,
                            std::vector<std::string>& errors) {
  const json::Value* v = obj.find(key);
  if (v == nullptr || v->isNull()) return nullptr;
  if (!v->isObject()) {
    errors.push_back(path + ": expected an object, got " + json::typeName(v->type()));
    return nullptr;
  }
  return v;
}

}  // namespace

std::optional<int64_t> quantityBytes(const json::Value& q) {
  if (q.isInt()) {
    int64_t gb = q.asInt();
    if (gb <= 0 || gb > std::numeric_limits<int64_t>::max() / 1000000000) return std::nullopt;
    return gb * 1000000000;
  }
  if (!q.isString()) return std::nullopt;
  const std::string& s = q.asString();
  size_t digits = 0;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  if (digits == 0 || digits > 15) return std::nullopt;
  int64_t n = std::stoll(s.substr(0, digits));
  if (n <= 0) return std::nullopt;
  const std::string unit = s.substr(digits);
  int64_t factor = 0;
  if (unit.empty() || unit == "G") factor = 1000000000LL;
  if (unit == "M") factor = 1000000LL;
  if (unit == "T") factor = 1000000000000LL;
  if (unit == "Mi") factor = 1LL << 20;
  if (unit == "Gi") factor = 1LL << 30;
  if (unit == "Ti") factor = 1LL << 40;
  if (factor == 0 || n > std::numeric_limits<int64_t>::max() / factor) return std::nullopt;
  return n * factor;
}

int64_t bytesToGBCeil(int64_t bytes) {
  return (bytes + 999999999) / 1000000000;
}

LxdSpec parseLxdSpec(const json::Value& spec) {
  LxdSpec out;
  std::vector<std::string> errors;
  const json::Value* cfg = objectAt(spec, "lxdConfig", "spec.lxdConfig", errors);
  if (cfg != nullptr) {
    checkString(*cfg, "profile", "spec.lxdConfig.profile", out.profile, errors);
    checkString(*cfg, "vmHost", "spec.lxdConfig.vmHost", out.vmHost, errors);
    checkString(*cfg, "project", "spec.lxdConfig.project", out.project, errors);
    if (const json::Value* st = objectAt(*cfg, "storage", "spec.lxdConfig.storage", errors)) {
      checkString(*st, "pool", "spec.lxdConfig.storage.pool", out.storagePool, errors);
      const json::Value* size = st->find("size");
      if (size != nullptr && !size->isNull()) {
        std::optional<int64_t> bytes = quantityBytes(*size);
        if (!bytes) {
          errors.push_back(
              "spec.lxdConfig.storage.size: expected a positive quantity such as "
              "\"20G\", \"20Gi\" or 50 (GB), got " +
              size->dump());
        } else {
          out.diskGB = bytesToGBCeil(*bytes);
        }
      }
    }
    if (const json::Value* net = objectAt(*cfg, "network", "spec.lxdConfig.network", errors)) {
      checkString(*net, "bridge", "spec.lxdConfig.network.bridge", out.bridge, errors);
      const json::Value* devs = net->find("devices");
      if (devs != nullptr && !devs->isNull()) {
        if (!devs->isArray()) {
          errors.push_back("spec.lxdConfig.network.devices: expected a list of strings");
        } else {
          for (size_t i = 0; i < devs->asArray().size(); ++i) {
            const json::Value& d = devs->asArray()[i];
            if (!d.isString() || d.asString().empty()) {
              errors.push_back("spec.lxdConfig.network.devices[" + std::to_string(i) +
                               "]: expected a non-empty string, got " + d.dump());
            } else {
              out.devices.push_back(d.asString());
            }
          }
        }
      }
    }
  }
  if (!errors.empty()) {
    std::string message;
    for (const auto& e : errors) message += (message.empty() ? "" : "; ") + e;
    throw PluginError(ErrorType::InvalidSpec, message);
  }
  return out;
}

std::string vmHostname(const std::string& ns, const std::string& name, const std::string& uid) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (char c : ns + "/" + name + "/" + uid) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  static const char* kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string suffix;
  for (int i = 0; i < 5; ++i, h /= 36) suffix.push_back(kAlphabet[h % 36]);
  std::string base;
  for (char c : name) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    base.push_back(std::isalnum(static_cast<unsigned char>(l)) ? l : '-');
  }
  base = base.substr(0, 63 - 6);
  while (!base.empty() && base.back() == '-') base.pop_back();
  if (base.empty()) base = "vm";
  return base + "-" + suffix;
}

}  // namespace maasprov::lxd
