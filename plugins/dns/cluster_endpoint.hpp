// A MaasCluster's control-plane endpoint as the DNS plugin reads it from the request:
//   - with the annotation spectrocloud.com/custom-dns-provided: spec.controlPlaneEndpoint is the
//     user's, used as given (host required), and nothing is created in MAAS;
//   - else the name is spec.controlPlaneEndpoint.host when set, else the name already reported
//     in status.network.dnsName, else "<cluster>-<suffix>.<dnsDomain>" where <suffix> is five
//     characters derived from the cluster's uid (stable across reconciles and restarts, and
//     distinct for same-named clusters in different namespaces); port defaults to 6443.
//
// Ownership: a value type. Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "ip_address.hpp"
#include "maasprov/json.hpp"

namespace maasprov::dns {

inline constexpr const char* kCustomDnsAnnotation = "spectrocloud.com/custom-dns-provided";
inline constexpr int kDefaultPort = 6443;

struct ClusterEndpoint {
  std::string clusterName;
  std::string dnsDomain;
  std::string host;  // the endpoint name (fqdn of the MAAS DNS resource unless custom)
  int port = kDefaultPort;
  bool custom = false;        // user-provided: no MAAS record is created or changed
  bool hostFromSpec = false;  // host came from spec.controlPlaneEndpoint.host
  std::vector<Cidr> preferredSubnets;

  // Reads and checks the cluster object; throws PluginError (InvalidSpec, terminal) listing
  // every invalid field by path.
  static ClusterEndpoint fromCluster(const json::Value& cluster);
};

// "<cluster>-<5 chars>.<domain>" (the cluster part shortened so the label stays <= 63).
std::string generatedName(const std::string& cluster, const std::string& stableKey,
                          const std::string& domain);

}  // namespace maasprov::dns
