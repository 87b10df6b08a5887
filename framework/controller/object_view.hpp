// What the controller's watch reads of a stored object, taken from its JSON text with the SDK's
// checked reader and nothing built: its key, what wakes its reconcile, what its cluster looks
// at, its phase and the summary its peers' plugins see.
//
// Why: every write of every object reaches the watch, and parsing each into a Poco tree (then
// printing parts of it again to fingerprint them) was a tenth of the daemon's CPU while a fleet
// was provisioned (docs/performance.md). The stored text is compact with its keys sorted, so
// a member's text is its canonical form: fingerprints hash it as it stands, and the peer summary
// is spliced from it.
//
// Ownership: an ObjectView holds the text it was read from (shared) and views into it.
// Thread-safety: a value; const use from any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace maasprov::controller {

class ObjectView {
 public:
  using Members = std::vector<std::pair<std::string, std::string_view>>;

  // Reads `text` (a JSON object). Throws std::invalid_argument naming what is wrong when it is
  // not an object or lacks kind or metadata.name.
  static ObjectView fromText(std::shared_ptr<const std::string> text);

  const std::string& kind() const { return kind_; }
  const std::string& ns() const { return ns_; }
  const std::string& name() const { return name_; }
  // metadata.deletionTimestamp is a non-empty string.
  bool beingDeleted() const { return !deletionTimestamp_.empty(); }
  // A string member of metadata.labels; "" when absent or not a string.
  std::string label(std::string_view key) const;
  // A string member of spec; "" when absent or not a string.
  std::string specString(std::string_view key) const;

  // What, when it changes, calls for a reconcile of the object itself: generation, deletion,
  // labels, annotations (not status or finalizers: the controller's own writes).
  std::size_t trigger() const;
  // What a MaasMachine's cluster (its endpoint provider) looks at: labels, deletion and
  // status.addresses, machinePowered, machineState, ready.
  std::size_t clusterView() const;
  // Deleting, Ready, Failed, Provisioning or Pending, as controller::machinePhase() says.
  std::string machinePhase() const;
  // plugin::peerSummary() of the object, the same text.
  std::string peerSummary() const;

 private:
  std::string_view member(const Members& members, std::string_view key) const;

  std::shared_ptr<const std::string> text_;
  Members top_, metadata_, spec_, status_;
  std::string kind_, ns_, name_, deletionTimestamp_;
};

}  // namespace maasprov::controller
