// spec.image -> the `distro_series` MAAS's deploy operation takes.
//
// Accepted forms (surrounding spaces are ignored):
//   "ubuntu/jammy"            an OS/series pair, sent as is (any OS: "centos/8", "rhel/9",
//                             "custom/my-image", "ubuntu/noble").
//   "ubuntu/22.04", "22.04"   an Ubuntu release number, mapped to its code name
//                             ("ubuntu/jammy"); unknown release numbers are refused.
//   "jammy"                   a known Ubuntu code name, sent as "ubuntu/jammy".
//   "my-image"                any other bare name: a custom image uploaded to MAAS under that
//                             name (as the Spectro Cloud provider does), sent as is.
// Refused: empty, whitespace inside, characters other than letters, digits, '.', '_', '-' and
// one '/', an empty side of '/'.
//
// Ownership: values only. Thread-safety: pure functions.
#pragma once

#include <string>

namespace maasprov::common {

struct DistroSeries {
  std::string value;    // what is sent as distro_series, e.g. "ubuntu/jammy" or "my-image"
  std::string osystem;  // "ubuntu", "centos", ...; empty for a bare custom image name
  std::string series;   // "jammy", "8", "my-image"
};

// Throws maasprov::PluginError (InvalidSpec, terminal) naming `field` and what was expected.
DistroSeries distroSeriesForImage(const std::string& image,
                                  const std::string& field = "spec.image");

}  // namespace maasprov::common
