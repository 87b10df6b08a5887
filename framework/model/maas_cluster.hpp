// MaasCluster: the cluster-wide settings machines share (DNS domain, control-plane endpoint,
// failure domains, preferred subnets) and what the controller observed about them.
//
// Ownership: plain value types. Thread-safety: none of their own; share const instances only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "framework/model/condition.hpp"
#include "framework/model/object_meta.hpp"

namespace maasprov::model {

inline constexpr std::string_view kMaasClusterKind = "MaasCluster";
// Port defaulted into spec.controlPlaneEndpoint when a host is given without one.
inline constexpr std::int64_t kDefaultApiServerPort = 6443;

struct ApiEndpoint {
  std::optional<std::string> host;
  std::optional<std::int64_t> port;  // 1..65535
  bool operator==(const ApiEndpoint&) const = default;
};

struct MaasClusterSpec {
  std::optional<std::string> dnsDomain;  // required; immutable once set
  std::optional<ApiEndpoint> controlPlaneEndpoint;
  std::vector<std::string> failureDomains;    // MAAS zones machines may be spread over
  std::vector<std::string> preferredSubnets;  // CIDRs, IPv4 or IPv6
  bool operator==(const MaasClusterSpec&) const = default;
};

// A Cluster API FailureDomainSpec.
struct FailureDomainSpec {
  bool controlPlane = false;
  std::map<std::string, std::string> attributes;
  bool operator==(const FailureDomainSpec&) const = default;
};

struct MaasClusterNetworkStatus {
  std::optional<std::string> dnsName;
  bool operator==(const MaasClusterNetworkStatus&) const = default;
};

struct MaasClusterStatus {
  bool ready = false;
  std::optional<MaasClusterNetworkStatus> network;
  std::map<std::string, FailureDomainSpec> failureDomains;
  std::vector<Condition> conditions;
  std::int64_t observedGeneration = 0;  // 0 = never reconciled
  bool operator==(const MaasClusterStatus&) const = default;
};

struct MaasCluster {
  ObjectMeta metadata;
  MaasClusterSpec spec;
  MaasClusterStatus status;
  bool operator==(const MaasCluster&) const = default;
};

}  // namespace maasprov::model
