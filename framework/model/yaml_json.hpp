// Conversion between YAML text and the Poco JSON values the decoders and encoders work on
// (yaml_reader.cpp, yaml_writer.cpp).
//
// Scalars are typed as yaml_scalar.hpp says, so a manifest means the same in YAML and JSON.
// Anchors and aliases are understood; other tags, duplicate keys and non-scalar keys are errors.
//
// Internal to the model layer. Ownership: returns values. Thread-safety: reentrant.
#pragma once

#include <Poco/Dynamic/Var.h>

#include <string>
#include <string_view>
#include <vector>

namespace maasprov::model {

// Upper bound on the values one document may hold once aliases are expanded, so a small
// hostile document cannot expand into gigabytes.
inline constexpr std::size_t kMaxValuesPerDocument = 100000;

// One JSON value per YAML document, in order; an empty document (e.g. after a trailing `---`)
// gives an empty Var. Throws DecodeError: for syntax errors with `line L, column C` in the
// message, for errors inside a document located there (DecodeError::locatedIn with `source`).
std::vector<Poco::Dynamic::Var> parseYamlDocuments(std::string_view text, std::string_view source);

// One YAML document (no `---` marker), block style, keys in the objects' order, strings quoted
// wherever a plain scalar would read back as something else.
std::string emitYaml(const Poco::Dynamic::Var& value);

}  // namespace maasprov::model
