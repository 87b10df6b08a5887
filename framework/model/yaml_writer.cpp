// YAML text from JSON values (see yaml_json.hpp).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <yaml-cpp/yaml.h>

#include "framework/model/json_fields.hpp"
#include "framework/model/yaml_json.hpp"
#include "framework/model/yaml_scalar.hpp"

namespace maasprov::model {
namespace {

void emit(YAML::Emitter& out, const Poco::Dynamic::Var& value) {
  if (value.isEmpty()) {
    out << YAML::Null;
  } else if (value.type() == typeid(Poco::JSON::Object::Ptr) ||
             value.type() == typeid(Poco::JSON::Object)) {
    const auto object = asObject(value, "");
    const auto names = object->getNames();
    if (names.empty()) {
      out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
      return;
    }
    out << YAML::BeginMap;
    for (const auto& name : names) {
      out << YAML::Key;
      emit(out, Poco::Dynamic::Var(name));
      out << YAML::Value;
      emit(out, object->get(name));
    }
    out << YAML::EndMap;
  } else if (value.type() == typeid(Poco::JSON::Array::Ptr) ||
             value.type() == typeid(Poco::JSON::Array)) {
    const auto list = asArray(value, "");
    if (list->size() == 0) {
      out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
      return;
    }
    out << YAML::BeginSeq;
    for (std::size_t i = 0; i < list->size(); ++i) emit(out, list->get(static_cast<unsigned>(i)));
    out << YAML::EndSeq;
  } else if (value.isBoolean()) {
    out << value.extract<bool>();
  } else if (value.isInteger()) {
    out << value.convert<std::int64_t>();
  } else if (value.isNumeric()) {
    out << value.convert<double>();
  } else {
    const std::string text = value.convert<std::string>();
    // Quote whatever would not read back as this very string: "", "2", "true", "null", and
    // anything with line breaks or surrounding blanks.
    const bool plainIsString = resolvePlain(text).isString();
    const bool awkward = text.find_first_of("\n\r\t") != std::string::npos ||
                         (!text.empty() && (text.front() == ' ' || text.back() == ' '));
    if (!plainIsString || awkward) out << YAML::DoubleQuoted;
    out << text;
  }
}

}  // namespace

std::string emitYaml(const Poco::Dynamic::Var& value) {
  YAML::Emitter out;
  emit(out, value);
  return std::string(out.c_str()) + "\n";
}

}  // namespace maasprov::model
