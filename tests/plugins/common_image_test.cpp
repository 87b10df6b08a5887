// plugins/common: what users may write in spec.image and what MAAS is asked to deploy.
#include <gtest/gtest.h>

#include "image.hpp"
#include "maasprov/error.hpp"

namespace maasprov::common {
namespace {

TEST(ImageMapping, AcceptedFormsBecomeMaasDistroSeries) {
  const std::pair<const char*, const char*> cases[] = {
      {"ubuntu/jammy", "ubuntu/jammy"},
      {"jammy", "ubuntu/jammy"},
      {"22.04", "ubuntu/jammy"},
      {"ubuntu/22.04", "ubuntu/jammy"},
      {" noble ", "ubuntu/noble"},
      {"20.04", "ubuntu/focal"},
      {"centos/8", "centos/8"},
      {"custom/my-image", "custom/my-image"},
      {"u-2204-0-k-1294-0", "u-2204-0-k-1294-0"},  // a custom image uploaded under this name
  };
  for (const auto& [image, want] : cases) {
    EXPECT_EQ(distroSeriesForImage(image).value, want) << image;
  }
  auto jammy = distroSeriesForImage("22.04");
  EXPECT_EQ(jammy.osystem, "ubuntu");
  EXPECT_EQ(jammy.series, "jammy");
}

TEST(ImageMapping, RefusedFormsNameTheFieldAndWhatIsExpected) {
  for (const char* image : {"", "  ", "ubuntu/", "/jammy", "a/b/c", "ubuntu jammy", "22.99",
                            "ubuntu/21.99", "jammy;rm"}) {
    try {
      distroSeriesForImage(image);
      ADD_FAILURE() << "accepted \"" << image << "\"";
    } catch (const PluginError& e) {
      EXPECT_EQ(e.type(), ErrorType::InvalidSpec) << image;
      EXPECT_FALSE(e.isRetryable()) << image;
      EXPECT_EQ(std::string(e.what()).rfind("spec.image: ", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace maasprov::common
