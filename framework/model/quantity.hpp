// Storage quantities as LXD machines give them in spec.lxdConfig.storage.size.
//
// A quantity is a positive whole number with an optional unit: M, G, T (powers of 1000) or
// Mi, Gi, Ti (powers of 1024). No unit means gigabytes: "50" == "50G". MAAS composes disks in
// whole gigabytes, so sizes are converted to GB rounding up (a VM never gets less than asked).
//
// Ownership: values. Thread-safety: the functions are reentrant.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "framework/model/maas_machine.hpp"

namespace maasprov::model {

// Thrown for a malformed or non-positive quantity; what() says what was expected, e.g.
// `invalid quantity "20GB": expected a positive whole number with an optional unit M, G, T,
// Mi, Gi or Ti (no unit means G), e.g. 20G`.
class QuantityError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The quantity in bytes. Throws QuantityError.
std::uint64_t quantityBytes(std::string_view quantity);

// The quantity in whole gigabytes (10^9 bytes), rounded up. Throws QuantityError.
std::int64_t quantityGigabytes(std::string_view quantity);

// The root-disk size, in GB, to compose for an LXD machine: spec.lxdConfig.storage.size, or
// kDefaultLxdStorageSize when unset. Throws QuantityError for an invalid size (validate() reports
// those first).
std::int64_t storageSizeGB(const MaasMachineSpec& spec);

}  // namespace maasprov::model
