#include "framework/controller/object_view.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <stdexcept>

#include "maasprov/json.hpp"  // checked views of the text, nothing built

namespace maasprov::controller {
namespace {

using Members = ObjectView::Members;

// Stored objects were checked when written; this only bounds the reader's recursion.
const json::ParseOptions kStored{512, 64u * 1024u * 1024u};

bool isObject(std::string_view raw) {
  return !raw.empty() && raw.front() == '{';
}

Members membersOf(std::string_view raw) {
  return isObject(raw) ? json::objectMembers(raw, kStored) : Members{};
}

// A member's text when it is a JSON string, decoded; "" otherwise.
std::string stringOf(std::string_view raw) {
  if (raw.empty() || raw.front() != '"') return {};
  return json::parse(raw, kStored).asString();
}

// As the fingerprints always printed them: the member's JSON text, "-" when absent.
std::string_view orDash(std::string_view raw) {
  return raw.empty() ? std::string_view("-") : raw;
}

}  // namespace

ObjectView ObjectView::fromText(std::shared_ptr<const std::string> text) {
  if (!text) throw std::invalid_argument("no object text");
  ObjectView v;
  v.text_ = std::move(text);
  try {
    v.top_ = json::objectMembers(*v.text_, kStored);
    v.metadata_ = membersOf(v.member(v.top_, "metadata"));
    v.spec_ = membersOf(v.member(v.top_, "spec"));
    v.status_ = membersOf(v.member(v.top_, "status"));
    v.kind_ = stringOf(v.member(v.top_, "kind"));
    v.ns_ = stringOf(v.member(v.metadata_, "namespace"));
    v.name_ = stringOf(v.member(v.metadata_, "name"));
    v.deletionTimestamp_ = stringOf(v.member(v.metadata_, "deletionTimestamp"));
  } catch (const json::ParseError& e) {
    throw std::invalid_argument(std::string("stored object is not a JSON object: ") + e.what());
  }
  if (v.kind_.empty() || v.name_.empty()) {
    throw std::invalid_argument("stored object lacks kind or metadata.name");
  }
  return v;
}

std::string_view ObjectView::member(const Members& members, std::string_view key) const {
  for (const auto& [k, raw] : members) {
    if (k == key) return raw;
  }
  return {};
}

std::string ObjectView::label(std::string_view key) const {
  return stringOf(member(membersOf(member(metadata_, "labels")), key));
}

std::string ObjectView::specString(std::string_view key) const {
  return stringOf(member(spec_, key));
}

std::size_t ObjectView::trigger() const {
  std::string_view generation = member(metadata_, "generation");
  if (generation.empty() ||
      !(generation.front() == '-' || (generation.front() >= '0' && generation.front() <= '9'))) {
    generation = "0";
  }
  std::string key;
  key.append(generation).append("|").append(deletionTimestamp_).append("|");
  key.append(orDash(member(metadata_, "labels"))).append("|");
  key.append(orDash(member(metadata_, "annotations")));
  return std::hash<std::string>{}(key);
}

std::size_t ObjectView::clusterView() const {
  std::string key;
  key.append(orDash(member(metadata_, "labels"))).append("|").append(deletionTimestamp_);
  for (const char* field : {"addresses", "machinePowered", "machineState", "ready"}) {
    key.append("|").append(orDash(member(status_, field)));
  }
  return std::hash<std::string>{}(key);
}

std::string ObjectView::machinePhase() const {
  if (beingDeleted()) return "Deleting";
  if (member(status_, "ready") == "true") return "Ready";
  auto isString = [](std::string_view raw) { return !raw.empty() && raw.front() == '"'; };
  if (isString(member(status_, "failureReason"))) return "Failed";
  if (isString(member(status_, "systemID"))) return "Provisioning";
  return "Pending";
}

std::string ObjectView::peerSummary() const {
  // {"key":text,...} of the members present and not null, keys in the order Poco prints them
  // (sorted), so the text is the one plugin::peerSummary() prints for the parsed object.
  using Picked = std::vector<std::pair<std::string_view, std::string>>;
  auto pick = [this](const Members& from, std::initializer_list<const char*> keys, Picked& out) {
    for (const char* key : keys) {
      std::string_view raw = member(from, key);
      if (!raw.empty() && raw != "null") out.emplace_back(key, std::string(raw));
    }
  };
  auto print = [](Picked members) {
    std::sort(members.begin(), members.end());
    // Sized exactly: the index keeps a summary per machine for as long as it exists.
    std::size_t size = 2;
    for (const auto& [key, raw] : members) size += key.size() + raw.size() + 4;
    std::string out;
    out.reserve(size);
    out += '{';
    for (const auto& [key, raw] : members) {
      if (out.size() > 1) out += ',';
      out.append("\"").append(key).append("\":").append(raw);
    }
    out += '}';
    return out;
  };
  Picked top;
  pick(top_, {"apiVersion", "kind"}, top);
  if (isObject(member(top_, "metadata"))) {
    Picked m;
    pick(metadata_, {"name", "namespace", "uid", "labels", "deletionTimestamp"}, m);
    top.emplace_back("metadata", print(std::move(m)));
  }
  if (isObject(member(top_, "spec"))) {
    Picked s;
    pick(spec_, {"provisioningMode"}, s);
    top.emplace_back("spec", print(std::move(s)));
  }
  if (isObject(member(top_, "status"))) {
    Picked s;
    pick(status_,
         {"ready", "systemID", "providerID", "failureDomain", "lxdHost", "machineState",
          "machinePowered", "addresses"},
         s);
    top.emplace_back("status", print(std::move(s)));
  }
  return print(std::move(top));
}

}  // namespace maasprov::controller
