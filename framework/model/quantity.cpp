#include "framework/model/quantity.hpp"

#include <array>
#include <charconv>
#include <utility>

namespace maasprov::model {
namespace {

constexpr std::uint64_t kGigabyte = 1000ULL * 1000 * 1000;

QuantityError invalid(std::string_view quantity, std::string_view why) {
  return QuantityError("invalid quantity \"" + std::string(quantity) + "\": " + std::string(why));
}

constexpr std::string_view kExpected =
    "expected a positive whole number with an optional unit M, G, T, Mi, Gi or Ti (no unit means "
    "G), e.g. 20G";

}  // namespace

std::uint64_t quantityBytes(std::string_view quantity) {
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 7> kUnits{{
      {"Mi", 1ULL << 20},
      {"Gi", 1ULL << 30},
      {"Ti", 1ULL << 40},
      {"M", 1000ULL * 1000},
      {"G", kGigabyte},
      {"T", kGigabyte * 1000},
      {"", kGigabyte},
  }};
  std::size_t digits = 0;
  while (digits < quantity.size() && quantity[digits] >= '0' && quantity[digits] <= '9') ++digits;
  if (digits == 0) throw invalid(quantity, kExpected);
  const std::string_view unit = quantity.substr(digits);
  std::uint64_t multiplier = 0;
  for (const auto& [name, bytes] : kUnits) {
    if (unit == name) multiplier = bytes;
  }
  if (multiplier == 0) throw invalid(quantity, kExpected);
  std::uint64_t amount = 0;
  const auto [end, ec] = std::from_chars(quantity.data(), quantity.data() + digits, amount);
  std::uint64_t bytes = 0;
  if (ec != std::errc() || __builtin_mul_overflow(amount, multiplier, &bytes) ||
      bytes > static_cast<std::uint64_t>(INT64_MAX)) {
    throw invalid(quantity, "too large");
  }
  if (bytes == 0) throw invalid(quantity, "must be positive");
  return bytes;
}

std::int64_t quantityGigabytes(std::string_view quantity) {
  const std::uint64_t bytes = quantityBytes(quantity);
  return static_cast<std::int64_t>(bytes / kGigabyte + (bytes % kGigabyte != 0 ? 1 : 0));
}

std::int64_t storageSizeGB(const MaasMachineSpec& spec) {
  if (spec.lxdConfig && spec.lxdConfig->storage && spec.lxdConfig->storage->size) {
    return quantityGigabytes(*spec.lxdConfig->storage->size);
  }
  return quantityGigabytes(kDefaultLxdStorageSize);
}

}  // namespace maasprov::model
