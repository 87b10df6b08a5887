// Validation of model objects: every rule of docs/resource-model.md, reporting ALL errors, each
// as `path: message` (FieldError). Validate after applyDefaults(): validation does not default,
// so e.g. a missing metadata.namespace is reported as required.
//
// Ownership: returns values. Thread-safety: reentrant.
#pragma once

#include <vector>

#include "framework/model/field_error.hpp"
#include "framework/model/object.hpp"

namespace maasprov::model {

// All errors of `object`, in field order; empty when valid.
std::vector<FieldError> validate(const Object& object);
std::vector<FieldError> validate(const MaasMachine& machine);
std::vector<FieldError> validate(const MaasCluster& cluster);
std::vector<FieldError> validate(const Secret& secret);

// The errors of replacing `current` (as stored) with `updated`: first the update rules (kind,
// metadata.name and metadata.namespace never change; a MaasMachine's spec.image, spec.minCPU,
// spec.minMemory, spec.provisioningMode and spec.lxdConfig and a MaasCluster's spec.dnsDomain
// cannot change once set: `spec.image: field is immutable once set`), then validate(updated).
// Both objects should have had applyDefaults() applied.
std::vector<FieldError> validateUpdate(const Object& current, const Object& updated);

}  // namespace maasprov::model
