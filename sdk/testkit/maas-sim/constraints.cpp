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

bool Constraints::Matches(const World& w, const Machine& m) const {
  auto get = [this](const std::string& k) -> const std::vector<std::string>* {
    auto it = values_.find(k);
    return it == values_.end() ? nullptr : &it->second;
  };
  auto any_of = [&](const std::string& k, const std::string& value) {
    const auto* v = get(k);
    return !v || Contains(*v, value);
  };
  auto none_of = [&](const std::string& k, const std::string& value) {
    const auto* v = get(k);
    return !v || !Contains(*v, value);
  };
  if (min_cpu_ >= 0 && m.cpu_count < min_cpu_) return false;
  if (min_mem_ >= 0 && static_cast<double>(m.memory) < min_mem_) return false;
  if (const auto* tags = get("tags"))
    for (const auto& t : *tags)
      if (!Contains(m.tags, t)) return false;
  if (const auto* tags = get("not_tags"))
    for (const auto& t : *tags)
      if (Contains(m.tags, t)) return false;
  const std::string zone = w.zones.at(m.zone_id).name;
  const std::string pool = w.pools.at(m.pool_id).name;
  if (!any_of("zone", zone) || !none_of("not_in_zone", zone)) return false;
  if (!any_of("pool", pool) || !none_of("not_in_pool", pool)) return false;
  if (const auto* arch = get("arch")) {
    bool ok = false;
    for (const auto& a : *arch) ok |= m.architecture == a || m.architecture.rfind(a + "/", 0) == 0;
    if (!ok) return false;
  }
  if (const auto* arch = get("not_arch"))
    for (const auto& a : *arch)
      if (m.architecture == a || m.architecture.rfind(a + "/", 0) == 0) return false;
  if (!MatchesPod(w, m)) return false;
  if (get("owner") && (m.owner.empty() || !any_of("owner", m.owner))) return false;
  if (!m.owner.empty() && !none_of("not_owner", m.owner)) return false;
  if (!any_of("power_state", m.power_state) || !none_of("not_power_state", m.power_state))
    return false;
  if (!any_of("id", m.system_id) || !none_of("not_id", m.system_id)) return false;
  if (!any_of("system_id", m.system_id)) return false;
  if (!any_of("hostname", m.hostname) || !none_of("not_hostname", m.hostname)) return false;
  if (const auto* names = get("name")) {
    bool ok = false;
    for (const auto& n : *names) ok |= n == m.hostname || n == w.Fqdn(m);
    if (!ok) return false;
  }
  const std::string domain = w.domains.at(m.domain_id).name;
  if (!any_of("domain", domain) || !none_of("not_domain", domain)) return false;
  if (get("agent_name") && !any_of("agent_name", m.agent_name)) return false;
  if (!none_of("not_agent_name", m.agent_name)) return false;
  auto status_in = [&](const std::string& k) {
    for (const auto& v : *get(k))
      if (StatusFromShortLabel(v.rfind("=", 0) == 0 ? v.substr(1) : v) == m.status) return true;
    return false;
  };
  if (get("status") && !status_in("status")) return false;
  if (get("not_status") && status_in("not_status")) return false;
  if (const auto* macs = get("mac_address")) {
    bool ok = false;
    for (const auto& i : m.interfaces) ok |= Contains(*macs, i.mac);
    if (!ok) return false;
  }
  if (const auto* subnets = get("subnets"))
    for (const auto& spec : *subnets) {
      bool ok = false;
      for (const auto& i : m.interfaces) ok |= SubnetMatches(w, i, spec);
      if (!ok) return false;
    }
  if (const auto* subnets = get("not_subnets"))
    for (const auto& spec : *subnets)
      for (const auto& i : m.interfaces)
        if (SubnetMatches(w, i, spec)) return false;
  if (!storage_sizes_.empty()) {
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
  }
  return true;
}

}  // namespace maassim
