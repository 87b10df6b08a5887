// Secret: a Kubernetes-style `v1 Secret` holding a machine's cloud-init user data, as Cluster
// API bootstrap providers write it (`data.value`, base64). MaasMachine.spec.bootstrapDataSecretName
// names one in the same namespace.
//
// Ownership: plain value type. Thread-safety: none of its own; share const instances only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "framework/model/object_meta.hpp"

namespace maasprov::model {

inline constexpr std::string_view kSecretApiVersion = "v1";
inline constexpr std::string_view kSecretKind = "Secret";
// The data key holding the user data.
inline constexpr std::string_view kSecretValueKey = "value";

struct Secret {
  ObjectMeta metadata;
  std::optional<std::string> type;          // e.g. "cluster.x-k8s.io/secret"; free-form
  std::map<std::string, std::string> data;  // values are base64
  // Plain-text values, write-only as in Kubernetes: applyDefaults() moves them into `data`.
  std::map<std::string, std::string> stringData;
  bool operator==(const Secret&) const = default;
};

// data.value as stored (base64), or nullopt when the Secret has no such key.
std::optional<std::string> secretValueBase64(const Secret& secret);

// Base64 helpers shared by the model (standard alphabet, padded, no line breaks).
std::string encodeBase64(std::string_view bytes);
// Strictly padded standard base64 (whitespace not allowed); nullopt otherwise.
std::optional<std::string> decodeBase64(std::string_view text);

}  // namespace maasprov::model
