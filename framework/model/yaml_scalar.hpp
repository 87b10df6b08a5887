// How YAML scalars become JSON values: the YAML 1.2 core schema for plain scalars (`2` is an
// integer, `true` a boolean, `~` null), strings for quoted and block scalars, and the explicit
// core tags !!str, !!int, !!float, !!bool and !!null.
//
// Internal to the model layer (yaml_reader.cpp reads with it, yaml_writer.cpp quotes by it).
// Ownership: returns values. Thread-safety: reentrant.
#pragma once

#include <Poco/Dynamic/Var.h>

#include <string>

namespace maasprov::model {

// The value a plain (unquoted, untagged) scalar stands for.
Poco::Dynamic::Var resolvePlain(const std::string& text);

// The value of a scalar with yaml-cpp's `tag` ("!" quoted/block, "?" or "" plain, or a full
// tag). Throws DecodeError at `path` for other tags or a value that does not fit its tag.
Poco::Dynamic::Var resolveScalar(const std::string& tag, const std::string& text,
                                 const std::string& path);

}  // namespace maasprov::model
