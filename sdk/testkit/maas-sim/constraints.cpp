#include "constraints.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

#include "storage_spec.hpp"

namespace maassim {

namespace {

// Fields every form knows (FilterNodeForm).
const std::set<std::string> kFilterFields = {"arch",
                                             "not_arch",
                                             "tags",
                                             "not_tags",
                                             "fabrics",
                                             "not_fabrics",
                                             "fabric_classes",
                                             "not_fabric_classes",
                                             "subnets",
                                             "not_subnets",
                                             "link_speed",
                                             "vlans",
                                             "not_vlans",
                                             "zone",
                                             "not_in_zone",
                                             "pool",
                                             "not_in_pool",
                                             "storage",
                                             "interfaces",
                                             "devices",
                                             "cpu_count",
                                             "cpu_speed",
                                             "mem",
                                             "pod",
                                             "not_pod",
                                             "pod_type",
                                             "not_pod_type",
                                             "owner",
                                             "not_owner",
                                             "power_state",
                                             "not_power_state"};
// ReadNodesForm adds these for machines/ listing.
const std::set<std::string> kListFields = {
    "id",         "not_id",        "hostname",         "not_hostname",   "mac_address",
    "domain",     "not_domain",    "agent_name",       "not_agent_name", "status",
    "not_status", "simple_status", "not_simple_status"};
// AcquireNodeForm adds these for op=allocate.
const std::set<std::string> kAllocateFields = {"name", "system_id"};
// Never reported as unknown constraints (IGNORED_FIELDS).
const std::set<std::string> kIgnored = {"comment",    "bridge_all", "bridge_type",
                                        "bridge_stp", "bridge_fd",  "dry_run",
                                        "verbose",    "op",         "agent_name"};
// Constraints on the machine's BMC (filter_by_pod_or_pod_type, or NODE_FILTERS' bmc__*).
const std::set<std::string> kPodFields = {"pod", "not_pod", "pod_type", "not_pod_type"};
// Fields whose description is a sorted set after cleaning.
const std::set<std::string> kSetValued = {"tags", "not_tags"};

std::string PyStr(const std::string& s) {
  char quote = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
  std::string out(1, quote);
  for (char c : s) {
    if (c == '\\' || c == quote) out += '\\';
    out += c;
  }
  return out + quote;
}

// Python's str(float): shortest round-trip form, always with a decimal point.
std::string PyFloat(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

bool Contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// MAAS's legacy tag syntax: "a,b c" is three tags.
std::vector<std::string> SplitTags(const std::vector<std::string>& raw) {
  std::vector<std::string> out;
  for (const auto& value : raw) {
    std::string cur;
    for (char c : value + ",") {
      if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
        if (!cur.empty() && !Contains(out, cur)) out.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
  }
  return out;
}

bool SubnetMatches(const World& w, const Interface& i, const std::string& spec) {
  auto it = w.subnets.find(i.subnet_id);
  if (it == w.subnets.end()) return false;
  const Subnet& s = it->second;
  std::string v = spec;
  if (v.rfind("cidr:", 0) == 0) v = v.substr(5);
  if (v.rfind("name:", 0) == 0) return s.name == v.substr(5);
  if (v.rfind("space:", 0) == 0) return s.space == v.substr(6);
  if (v.rfind("id:", 0) == 0) v = v.substr(3);
  return s.cidr == v || s.name == v || std::to_string(s.id) == v;
}

}  // namespace

double AllocationCost(const Machine& m) {
  return m.cpu_count + static_cast<double>(m.memory) / 1024.0;
}

Constraints::Constraints(const World& w, const Params& p, Form form) {
  Poco::JSON::Object errors;
  auto error = [&errors](const std::string& field, const std::string& msg) {
    auto a = Poco::makeShared<Poco::JSON::Array>();
    a->add(msg);
    errors.set(field, a);
  };
  const auto& extra = form == Form::kList ? kListFields : kAllocateFields;
  std::ostringstream repr;
  repr << "[";
  bool first = true;
  for (const auto& key : p.Keys()) {
    if (key == "op") continue;
    repr << (first ? "" : ", ") << "(" << PyStr(key) << ", [";
    auto all = p.GetAll(key);
    for (size_t i = 0; i < all.size(); ++i) repr << (i ? ", " : "") << PyStr(all[i]);
    repr << "])";
    first = false;
    bool known = kFilterFields.count(key) || extra.count(key);
    if (!known) {
      if (!kIgnored.count(key)) error(key, "No such constraint.");
      continue;
    }
    std::vector<std::string> vals;
    for (auto& v : all)
      if (!v.empty()) vals.push_back(v);
    // MAAS 3.2's pod fields are CharFields: Django keeps the last value given, even "".
    if (w.pod_constraints_pods_only && kPodFields.count(key)) vals = {all.back()};
    if (vals.empty() || vals.front().empty()) continue;
    if (key == "tags" || key == "not_tags") {
      vals = SplitTags(vals);
      std::vector<std::string> unknown;
      for (const auto& t : vals)
        if (!w.tags.count(t)) unknown.push_back("'" + t + "'");
      if (!unknown.empty() && key == "tags") {
        std::string list;
        for (const auto& u : unknown) list += (list.empty() ? "" : ", ") + u;
        error(key, "No such tag(s): " + list + ".");
        continue;
      }
      std::sort(vals.begin(), vals.end());
    } else if (key == "zone" || key == "not_in_zone") {
      std::vector<std::string> missing;
      for (const auto& z : vals)
        if (!w.FindZoneByName(z)) missing.push_back(z);
      if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
        error(key, "No such zone(s): " + list + ".");
        continue;
      }
    } else if (key == "pool" || key == "not_in_pool") {
      std::vector<std::string> missing;
      for (const auto& z : vals)
        if (!w.FindPoolByName(z)) missing.push_back(z);
      if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
        error(key, "No such pool(s): " + list + ".");
        continue;
      }
    } else if (key == "cpu_count" || key == "mem" || key == "cpu_speed" || key == "link_speed") {
      double mn = -1;
      bool bad = false;
      std::vector<std::string> described;
      for (const auto& v : vals) {
        char* end = nullptr;
        double d = std::strtod(v.c_str(), &end);
        if (end == v.c_str() || *end != '\0') {
          bad = true;
          break;
        }
        mn = mn < 0 ? d : std::min(mn, d);
        described.push_back(PyFloat(d));
      }
      if (bad) {
        error(key, key == "mem"         ? "Invalid memory: number of MiB required."
                   : key == "cpu_count" ? "Invalid CPU count: number required."
                   : key == "cpu_speed" ? "Invalid CPU speed: number required."
                                        : "Invalid link speed: number required.");
        continue;
      }
      if (key == "cpu_count") min_cpu_ = mn;
      if (key == "mem") min_mem_ = mn;
      vals = described;
    } else if (key == "status" || key == "not_status") {
      bool bad = false;
      for (const auto& v : vals) {
        std::string label = v.rfind("=", 0) == 0 ? v.substr(1) : v;
        if (StatusFromShortLabel(label) < 0) {
          error(key, "Select a valid choice. " + v + " is not one of the available choices.");
          bad = true;
          break;
        }
      }
      if (bad) continue;
    } else if (key == "power_state" || key == "not_power_state") {
      bool bad = false;
      for (const auto& v : vals)
        if (v != "on" && v != "off" && v != "unknown" && v != "error") {
          error(key, "Select a valid choice. " + v + " is not one of the available choices.");
          bad = true;
        }
      if (bad) continue;
    } else if (key == "storage") {
      // label:size(tags),... sizes in GB (the first applies to the boot disk).
      std::string spec = vals.back();
      auto parts = ParseStorageSpec(spec);
      if (!parts) {
        error(key, "Malformed storage constraint, \"" + spec + "\".");
        continue;
      }
      for (const auto& part : *parts)
        storage_sizes_.push_back(static_cast<uint64_t>(part.size_gb * 1e9));
      vals = {spec};
    }
    values_[key] = vals;
  }
  repr << "]";
  input_repr_ = repr.str();
  static const std::map<std::string, Field, std::less<>> kFields = {
      {"tags", Field::kTags},
      {"not_tags", Field::kNotTags},
      {"zone", Field::kZone},
      {"not_in_zone", Field::kNotInZone},
      {"pool", Field::kPool},
      {"not_in_pool", Field::kNotInPool},
      {"arch", Field::kArch},
      {"not_arch", Field::kNotArch},
      {"owner", Field::kOwner},
      {"not_owner", Field::kNotOwner},
      {"power_state", Field::kPowerState},
      {"not_power_state", Field::kNotPowerState},
      {"id", Field::kId},
      {"not_id", Field::kNotId},
      {"system_id", Field::kSystemId},
      {"hostname", Field::kHostname},
      {"not_hostname", Field::kNotHostname},
      {"name", Field::kName},
      {"domain", Field::kDomain},
      {"not_domain", Field::kNotDomain},
      {"agent_name", Field::kAgentName},
      {"not_agent_name", Field::kNotAgentName},
      {"status", Field::kStatus},
      {"not_status", Field::kNotStatus},
      {"mac_address", Field::kMacAddress},
      {"subnets", Field::kSubnets},
      {"not_subnets", Field::kNotSubnets},
  };
  for (const auto& [key, vals] : values_) {
    if (kPodFields.count(key)) pod_filters_ = true;
    auto field = kFields.find(key);
    if (field == kFields.end()) continue;  // accepted, but nothing the simulator models
    Check c{field->second, vals, vals, {}};
    std::sort(c.sorted.begin(), c.sorted.end());
    if (c.field == Field::kStatus || c.field == Field::kNotStatus)
      for (const auto& v : vals)
        c.statuses.push_back(StatusFromShortLabel(v.rfind("=", 0) == 0 ? v.substr(1) : v));
    checks_.push_back(std::move(c));
  }
  dry_run_ = p.Get("dry_run") == "true" || p.Get("dry_run") == "1";
  if (errors.size() > 0) {
    std::ostringstream out;
    errors.stringify(out);
    throw ApiError(400, out.str(), true);
  }
}

std::string Constraints::Describe() const {
  std::string out;
  for (const auto& [key, vals] : values_) {  // std::map iterates in field-name order
    std::string joined;
    for (const auto& v : vals) joined += (joined.empty() ? "" : ",") + v;
    if (key == "arch") {
      joined.clear();
      for (const auto& v : vals)
        joined +=
            (joined.empty() ? "" : ",") + (v.find('/') == std::string::npos ? v + "/generic" : v);
    }
    out += (out.empty() ? "" : " ") + key + "=" + joined;
  }
  return out;
}

bool Constraints::MatchesPod(const World& w, const Machine& m) const {
  auto get = [this](const std::string& k) -> const std::string* {
    auto it = values_.find(k);
    return it == values_.end() ? nullptr : &it->second.front();
  };
  const VmHost* host = m.pod_id ? &w.vm_hosts.at(*m.pod_id) : nullptr;
  if (w.pod_constraints_pods_only) {
    // MAAS 3.2 filter_by_pod_or_pod_type: any pod constraint keeps only machines whose BMC is a
    // pod passing the filters (bmc_id__in=pods), so bare metal never passes. not_pod is read
    // only without pod ("if not pod: pods.exclude(name=not_pod)").
    if (!get("pod") && !get("not_pod") && !get("pod_type") && !get("not_pod_type")) return true;
    if (!host) return false;
    if (const auto* pod = get("pod")) {
      if (host->name != *pod) return false;
    } else if (const auto* not_pod = get("not_pod"); not_pod && host->name == *not_pod) {
      return false;
    }
    if (const auto* type = get("pod_type"); type && host->type != *type) return false;
    if (const auto* type = get("not_pod_type"); type && host->type == *type) return false;
    return true;
  }
  // Current MAAS (FilterNodeForm.NODE_FILTERS / NODE_EXCLUDES, _match_any): bmc__name and
  // bmc__power_type of ANY BMC. Bare metal's BMC has no name and its own power type (ipmi, ...).
  const std::string bmc_name = host ? host->name : "";
  const std::string bmc_type = host ? host->type : m.power_type;
  auto in = [this](const std::string& k, const std::string& v) {
    auto it = values_.find(k);
    return it != values_.end() && Contains(it->second, v);
  };
  if (values_.count("pod") && !in("pod", bmc_name)) return false;
  if (values_.count("pod_type") && !in("pod_type", bmc_type)) return false;
  if (in("not_pod", bmc_name) || in("not_pod_type", bmc_type)) return false;
  return true;
}

const std::vector<std::string>* Constraints::Values(const std::string& field) const {
  auto it = values_.find(field);
  return it == values_.end() ? nullptr : &it->second;
}

bool Constraints::Matches(const World& w, const Machine& m) const {
  if (min_cpu_ >= 0 && m.cpu_count < min_cpu_) return false;
  if (min_mem_ >= 0 && static_cast<double>(m.memory) < min_mem_) return false;
  for (const Check& c : checks_)
    if (!Passes(w, m, c)) return false;
  if (pod_filters_ && !MatchesPod(w, m)) return false;
  return storage_sizes_.empty() || StorageFits(m);
}

bool Constraints::Passes(const World& w, const Machine& m, const Check& c) const {
  auto in = [&c](const std::string& v) {
    return std::binary_search(c.sorted.begin(), c.sorted.end(), v);
  };
  auto arch_is = [&m](const std::string& a) {
    return m.architecture == a || m.architecture.rfind(a + "/", 0) == 0;
  };
  auto status_in = [&c, &m] {
    return std::find(c.statuses.begin(), c.statuses.end(), m.status) != c.statuses.end();
  };
  switch (c.field) {
    case Field::kTags:
      return std::all_of(c.values.begin(), c.values.end(),
                         [&m](const std::string& t) { return Contains(m.tags, t); });
    case Field::kNotTags:
      return std::none_of(c.values.begin(), c.values.end(),
                          [&m](const std::string& t) { return Contains(m.tags, t); });
    case Field::kZone:
      return in(w.zones.at(m.zone_id).name);
    case Field::kNotInZone:
      return !in(w.zones.at(m.zone_id).name);
    case Field::kPool:
      return in(w.pools.at(m.pool_id).name);
    case Field::kNotInPool:
      return !in(w.pools.at(m.pool_id).name);
    case Field::kArch:
      return std::any_of(c.values.begin(), c.values.end(), arch_is);
    case Field::kNotArch:
      return std::none_of(c.values.begin(), c.values.end(), arch_is);
    case Field::kOwner:
      return !m.owner.empty() && in(m.owner);
    case Field::kNotOwner:
      return m.owner.empty() || !in(m.owner);
    case Field::kPowerState:
      return in(m.power_state);
    case Field::kNotPowerState:
      return !in(m.power_state);
    case Field::kId:
    case Field::kSystemId:
      return in(m.system_id);
    case Field::kNotId:
      return !in(m.system_id);
    case Field::kHostname:
      return in(m.hostname);
    case Field::kNotHostname:
      return !in(m.hostname);
    case Field::kName:
      return in(m.hostname) || in(w.Fqdn(m));
    case Field::kDomain:
      return in(w.domains.at(m.domain_id).name);
    case Field::kNotDomain:
      return !in(w.domains.at(m.domain_id).name);
    case Field::kAgentName:
      return in(m.agent_name);
    case Field::kNotAgentName:
      return !in(m.agent_name);
    case Field::kStatus:
      return status_in();
    case Field::kNotStatus:
      return !status_in();
    case Field::kMacAddress:
      return std::any_of(m.interfaces.begin(), m.interfaces.end(),
                         [&](const Interface& i) { return in(i.mac); });
    case Field::kSubnets:
      for (const auto& spec : c.values)
        if (std::none_of(m.interfaces.begin(), m.interfaces.end(),
                         [&](const Interface& i) { return SubnetMatches(w, i, spec); }))
          return false;
      return true;
    case Field::kNotSubnets:
      for (const auto& spec : c.values)
        for (const auto& i : m.interfaces)
          if (SubnetMatches(w, i, spec)) return false;
      return true;
  }
  return true;
}

bool Constraints::StorageFits(const Machine& m) const {
  // The first size applies to the boot disk, each further one to another distinct disk.
  if (m.disks.empty() || m.disks[0].size < storage_sizes_[0]) return false;
  std::vector<bool> used(m.disks.size(), false);
  used[0] = true;
  for (size_t s = 1; s < storage_sizes_.size(); ++s) {
    bool found = false;
    for (size_t d = 1; d < m.disks.size() && !found; ++d)
      if (!used[d] && m.disks[d].size >= storage_sizes_[s]) used[d] = found = true;
    if (!found) return false;
  }
  return true;
}

}  // namespace maassim
