#include "image.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "maasprov/error.hpp"

namespace maasprov::common {
namespace {

// Ubuntu releases MAAS can deploy (LTS and recent interim releases).
const std::pair<const char*, const char*> kUbuntuReleases[] = {
    {"16.04", "xenial"},   {"18.04", "bionic"}, {"20.04", "focal"},    {"22.04", "jammy"},
    {"22.10", "kinetic"},  {"23.04", "lunar"},  {"23.10", "mantic"},   {"24.04", "noble"},
    {"24.10", "oracular"}, {"25.04", "plucky"}, {"25.10", "questing"},
};

bool isReleaseNumber(const std::string& s) {
  return s.size() == 5 && std::isdigit(static_cast<unsigned char>(s[0])) &&
         std::isdigit(static_cast<unsigned char>(s[1])) && s[2] == '.' &&
         std::isdigit(static_cast<unsigned char>(s[3])) &&
         std::isdigit(static_cast<unsigned char>(s[4]));
}

const char* codeNameFor(const std::string& release) {
  for (const auto& [number, name] : kUbuntuReleases) {
    if (release == number) return name;
  }
  return nullptr;
}

bool isCodeName(const std::string& s) {
  return std::any_of(std::begin(kUbuntuReleases), std::end(kUbuntuReleases),
                     [&](const auto& r) { return s == r.second; });
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string knownReleases() {
  std::string out;
  for (const auto& r : kUbuntuReleases) out += (out.empty() ? "" : ", ") + std::string(r.first);
  return out;
}

}  // namespace

DistroSeries distroSeriesForImage(const std::string& raw, const std::string& field) {
  const std::string image = trim(raw);
  const std::string expected =
      "expected an image such as \"ubuntu/jammy\", \"jammy\", \"22.04\" or a custom image name";
  if (image.empty()) throw invalidSpec(field, "must not be empty; " + expected);
  for (char c : image) {
    bool ok =
        std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '/';
    if (!ok) {
      throw invalidSpec(field,
                        "\"" + image + "\" contains '" + std::string(1, c) + "'; " + expected);
    }
  }
  size_t slash = image.find('/');
  if (slash != std::string::npos) {
    std::string os = image.substr(0, slash);
    std::string series = image.substr(slash + 1);
    if (os.empty() || series.empty() || series.find('/') != std::string::npos) {
      throw invalidSpec(field, "\"" + image + "\" is not of the form <os>/<series>; " + expected);
    }
    if (os == "ubuntu" && isReleaseNumber(series)) {
      const char* name = codeNameFor(series);
      if (name == nullptr) {
        throw invalidSpec(field,
                          "unknown Ubuntu release \"" + series + "\"; known: " + knownReleases());
      }
      series = name;
    }
    return {os + "/" + series, os, series};
  }
  if (isReleaseNumber(image)) {
    const char* name = codeNameFor(image);
    if (name == nullptr) {
      throw invalidSpec(field,
                        "unknown Ubuntu release \"" + image + "\"; known: " + knownReleases());
    }
    return {std::string("ubuntu/") + name, "ubuntu", name};
  }
  if (isCodeName(image)) return {"ubuntu/" + image, "ubuntu", image};
  return {image, "", image};  // a custom image, by the name it was uploaded to MAAS with
}

}  // namespace maasprov::common
