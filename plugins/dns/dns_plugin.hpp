// The cluster endpoint provider (plugin "dns", kind ClusterEndpointProvider): gives each
// MaasCluster a stable control-plane endpoint and keeps a MAAS DNS resource for it holding the
// addresses of the cluster's running control-plane machines. See docs/plugins/dns.md.
//
// Its reconcile result document carries two members besides "status" and
// "requeueAfterSeconds", in Result::extra: "endpoint" {host, port} and "machineStatus" (the
// per-machine attachment report, see control_plane.hpp).
//
// Ownership: the SDK owns the instance; it holds its settings only.
// Thread-safety: stateless apart from immutable settings; the host never reconciles one cluster
// twice at once, and different clusters touch different DNS resources.
#pragma once

#include <cstdint>
#include <optional>

#include "maasprov/plugin.hpp"

namespace maasprov::dns {

struct DnsSettings {
  int64_t pollSeconds = 30;           // requeue while a control plane is still coming up
  std::optional<int64_t> addressTTL;  // address_ttl of created records (MAAS default if unset)
  static DnsSettings fromConfig(const json::Value& config);
};

class DnsPlugin {
 public:
  explicit DnsPlugin(const json::Value& config) : settings_(DnsSettings::fromConfig(config)) {}

  // Status, requeue, and "endpoint" and "machineStatus" in extra.
  Result reconcile(const Request& req, Host& host);
  RemoveResult remove(const Request& req, Host& host);
  json::Value describe(Host& host);

 private:
  DnsSettings settings_;
};

}  // namespace maasprov::dns
