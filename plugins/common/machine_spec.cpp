#include "machine_spec.hpp"

#include <algorithm>

#include "maasprov/error.hpp"

namespace maasprov::common {
namespace {

class Errors {
 public:
  void add(const std::string& field, const std::string& what) {
    text_ += (text_.empty() ? "" : "; ") + field + ": " + what;
  }
  void throwIfAny() const {
    if (!text_.empty()) throw PluginError(ErrorType::InvalidSpec, text_);
  }

 private:
  std::string text_;
};

std::string got(const json::Value& v) {
  return std::string(", got ") + json::typeName(v.type());
}

int64_t nonNegative(const json::Value& spec, const char* key, Errors& errors) {
  const json::Value* v = spec.find(key);
  std::string field = std::string("spec.") + key;
  if (v == nullptr || v->isNull()) {
    errors.add(field, "required, a non-negative integer");
    return 0;
  }
  if (!v->isInt() || v->asInt() < 0) {
    errors.add(field, "expected a non-negative integer" +
                          (v->isNumber() ? ", got " + v->dump() : got(*v)));
    return 0;
  }
  return v->asInt();
}

std::string optionalString(const json::Value& spec, const char* key, Errors& errors) {
  const json::Value* v = spec.find(key);
  if (v == nullptr || v->isNull()) return {};
  std::string field = std::string("spec.") + key;
  if (!v->isString()) {
    errors.add(field, "expected a string" + got(*v));
    return {};
  }
  if (v->asString().empty()) errors.add(field, "must not be empty when given");
  return v->asString();
}

}  // namespace

MachineSpec parseMachineSpec(const json::Value& spec) {
  Errors errors;
  MachineSpec out;
  if (!spec.isObject()) throw invalidSpec("spec", "expected an object" + got(spec));
  auto& c = out.constraints;
  c.minCPU = nonNegative(spec, "minCPU", errors);
  c.minMemoryMB = nonNegative(spec, "minMemory", errors);
  if (const json::Value* tags = spec.find("tags"); tags != nullptr && !tags->isNull()) {
    if (!tags->isArray()) {
      errors.add("spec.tags", "expected a list of tag names" + got(*tags));
    } else {
      for (size_t i = 0; i < tags->asArray().size(); ++i) {
        const json::Value& t = tags->asArray()[i];
        std::string field = "spec.tags[" + std::to_string(i) + "]";
        if (!t.isString() || t.asString().empty()) {
          errors.add(field, "expected a non-empty tag name" + (t.isString() ? "" : got(t)));
        } else if (std::find(c.tags.begin(), c.tags.end(), t.asString()) != c.tags.end()) {
          errors.add(field, "duplicate tag \"" + t.asString() + "\"");
        } else {
          c.tags.push_back(t.asString());
        }
      }
    }
  }
  c.zone = optionalString(spec, "failureDomain", errors);
  c.pool = optionalString(spec, "resourcePool", errors);
  c.systemId = optionalString(spec, "systemID", errors);
  const json::Value* image = spec.find("image");
  if (image == nullptr || image->isNull()) {
    errors.add("spec.image", "required, e.g. \"ubuntu/jammy\"");
  } else if (!image->isString()) {
    errors.add("spec.image", "expected a string such as \"ubuntu/jammy\"" + got(*image));
  } else {
    try {
      out.image = distroSeriesForImage(image->asString());
    } catch (const PluginError& e) {
      errors.add("spec.image", std::string(e.what()).substr(std::string("spec.image: ").size()));
    }
  }
  errors.throwIfAny();
  return out;
}

}  // namespace maasprov::common
