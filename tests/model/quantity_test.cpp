// Storage quantities: the units the docs promise, the GB figure the LXD plugin composes with,
// and clear errors for anything else.
#include "framework/model/quantity.hpp"

#include <gtest/gtest.h>

namespace maasprov::model {
namespace {

TEST(Quantity, UnitsConvertToBytes) {
  EXPECT_EQ(quantityBytes("20G"), 20'000'000'000ULL);
  EXPECT_EQ(quantityBytes("20Gi"), 20ULL << 30);
  EXPECT_EQ(quantityBytes("50"), 50'000'000'000ULL);
  EXPECT_EQ(quantityBytes("512M"), 512'000'000ULL);
  EXPECT_EQ(quantityBytes("512Mi"), 512ULL << 20);
  EXPECT_EQ(quantityBytes("2T"), 2'000'000'000'000ULL);
  EXPECT_EQ(quantityBytes("1Ti"), 1ULL << 40);
}

TEST(Quantity, GigabytesRoundUp) {
  EXPECT_EQ(quantityGigabytes("20G"), 20);
  EXPECT_EQ(quantityGigabytes("50"), 50);
  EXPECT_EQ(quantityGigabytes("20Gi"), 22);  // 21.47 GB
  EXPECT_EQ(quantityGigabytes("1M"), 1);
  EXPECT_EQ(quantityGigabytes("1000M"), 1);
  EXPECT_EQ(quantityGigabytes("1001M"), 2);
}

TEST(Quantity, StorageSizeUsesTheDefaultWhenUnset) {
  MaasMachineSpec spec;
  EXPECT_EQ(storageSizeGB(spec), 20);
  spec.lxdConfig = LxdConfig{};
  spec.lxdConfig->storage = LxdStorageConfig{"100Gi", std::nullopt};
  EXPECT_EQ(storageSizeGB(spec), 108);
}

TEST(Quantity, BadQuantitiesSayWhatIsExpected) {
  const std::string expected =
      "expected a positive whole number with an optional unit M, G, T, Mi, Gi or Ti (no unit "
      "means G), e.g. 20G";
  for (const char* bad : {"20GB", "", "G", "-5G", "1.5G", "20 G", "20g", "0x10"}) {
    try {
      quantityBytes(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const QuantityError& e) {
      EXPECT_EQ(std::string(e.what()),
                "invalid quantity \"" + std::string(bad) + "\": " + expected);
    }
  }
  EXPECT_THROW(
      {
        try {
          quantityBytes("0Gi");
        } catch (const QuantityError& e) {
          EXPECT_STREQ(e.what(), "invalid quantity \"0Gi\": must be positive");
          throw;
        }
      },
      QuantityError);
  EXPECT_THROW(
      {
        try {
          quantityBytes("99999999999T");
        } catch (const QuantityError& e) {
          EXPECT_STREQ(e.what(), "invalid quantity \"99999999999T\": too large");
          throw;
        }
      },
      QuantityError);
}

}  // namespace
}  // namespace maasprov::model
