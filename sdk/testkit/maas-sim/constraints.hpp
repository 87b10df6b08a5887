// MAAS's machine filter and allocation constraints (FilterNodeForm, ReadNodesForm and
// AcquireNodeForm in src/maasserver/node_constraint_filter_forms.py): validation with MAAS's
// field errors, matching, the cost ordering and the "resolved to" description.
//
// Ownership: Constraints holds only copies of request values. Thread-safety: Parse and Match
// read the World; the caller holds the state mutex.
#pragma once

#include <Poco/JSON/Object.h>

#include <map>
#include <string>
#include <vector>

#include "params.hpp"
#include "world.hpp"

namespace maassim {

class Constraints {
 public:
  enum class Form { kList, kAllocate };

  // Validates `p`; throws ApiError 400 with {"field": ["message"]} as MAAS does.
  Constraints(const World& w, const Params& p, Form form);

  bool Matches(const World& w, const Machine& m) const;
  // pod, not_pod, pod_type, not_pod_type as the World's MAAS version reads them.
  bool MatchesPod(const World& w, const Machine& m) const;
  // "cpu_count=4.0 tags=a,b" in field-name order; empty when nothing constrains.
  std::string Describe() const;
  // Python's repr of request.data.lists() without op: "[('cpu_count', ['4'])]".
  std::string InputRepr() const { return input_repr_; }
  bool DryRun() const { return dry_run_; }
  // The cleaned values of `field`, or nullptr when it does not constrain.
  const std::vector<std::string>* Values(const std::string& field) const;

 private:
  // The machine filters Matches applies, resolved once so a list does not look fields up per
  // machine (ListMachines runs Matches on every machine of every listing).
  enum class Field {
    kTags,
    kNotTags,
    kZone,
    kNotInZone,
    kPool,
    kNotInPool,
    kArch,
    kNotArch,
    kOwner,
    kNotOwner,
    kPowerState,
    kNotPowerState,
    kId,
    kNotId,
    kSystemId,
    kHostname,
    kNotHostname,
    kName,
    kDomain,
    kNotDomain,
    kAgentName,
    kNotAgentName,
    kStatus,
    kNotStatus,
    kMacAddress,
    kSubnets,
    kNotSubnets,
  };
  struct Check {
    Field field;
    std::vector<std::string> values;  // as cleaned, in request order
    std::vector<std::string> sorted;  // the same, sorted: membership by binary search
    std::vector<int> statuses;        // kStatus, kNotStatus: the NODE_STATUS values named
  };
  bool Passes(const World& w, const Machine& m, const Check& c) const;
  bool StorageFits(const Machine& m) const;

  std::map<std::string, std::vector<std::string>> values_;  // cleaned, by field name
  std::vector<Check> checks_;
  bool pod_filters_ = false;  // any of pod, not_pod, pod_type, not_pod_type
  double min_cpu_ = -1;
  double min_mem_ = -1;
  std::vector<uint64_t> storage_sizes_;
  std::string input_repr_;
  bool dry_run_ = false;
};

// MAAS's allocation cost: cpu_count + memory / 1024 (cheapest first).
double AllocationCost(const Machine& m);

}  // namespace maassim
