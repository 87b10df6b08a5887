#include "framework/store/status_text_update.hpp"

#include <utility>
#include <vector>

#include "framework/store/object_rules.hpp"
#include "maasprov/json.hpp"  // checked views of the texts, nothing built

namespace maasprov::store::rules {
namespace {

using Members = std::vector<std::pair<std::string, std::string_view>>;

std::optional<Members> membersOf(std::string_view text) {
  try {
    return json::objectMembers(text);
  } catch (const json::ParseError&) {
    return std::nullopt;
  }
}

// The members other than "status", in order.
Members withoutStatus(const Members& all) {
  Members out;
  out.reserve(all.size());
  for (const auto& m : all) {
    if (m.first != "status") out.push_back(m);
  }
  return out;
}

}  // namespace

std::optional<TextStatusWrite> statusUpdateByText(std::string_view stored, const Document& incoming,
                                                  std::uint64_t resourceVersion) {
  return statusUpdateByText(stored, serialize(incoming), resourceVersion);
}

std::optional<TextStatusWrite> statusUpdateByText(std::string_view stored,
                                                  std::string_view incomingText,
                                                  std::uint64_t resourceVersion) {
  if (incomingText == stored) return TextStatusWrite{false, {}};
  std::string text(incomingText);  // the new stored text, once the version is spliced in
  const auto mine = membersOf(text);
  const auto theirs = membersOf(stored);
  if (!mine || !theirs) return std::nullopt;
  // Everything but status the same, metadata (with its resourceVersion) included.
  const Members a = withoutStatus(*mine);
  const Members b = withoutStatus(*theirs);
  if (a != b) return std::nullopt;
  const std::string_view* metadata = nullptr;
  for (const auto& m : *mine) {
    if (m.first == "metadata") metadata = &m.second;
  }
  if (metadata == nullptr) return std::nullopt;
  const auto meta = membersOf(*metadata);
  if (!meta) return std::nullopt;
  for (const auto& [key, value] : *meta) {
    if (key != "resourceVersion") continue;
    // The views point into `text`: splice the new version in place of the old one.
    const auto at = static_cast<std::size_t>(value.data() - text.data());
    const std::string version = std::to_string(resourceVersion);
    text.replace(at, value.size(), "\"" + version + "\"");
    return TextStatusWrite{true, std::move(text)};
  }
  return std::nullopt;  // no resourceVersion: planStatusUpdate says why
}

}  // namespace maasprov::store::rules
