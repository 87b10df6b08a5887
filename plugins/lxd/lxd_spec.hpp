// spec.lxdConfig as the LXD plugin reads it, the VM's size, and the VM's deterministic hostname.
//
//   profile          only VM hosts advertising it qualify (tag lxd-profile-<name>; "default"
//                    is on every LXD host)
//   storage.size     quantity (docs/resource-model.md): "20G", "20Gi", "512M", 50 (= GB);
//                    MAAS composes whole GB, so it is rounded up; 20 GB when unset
//   storage.pool     the VM host storage pool for the root disk; the host's default when unset
//   network.bridge   the backing machine's bridge for the VM's first NIC (eth0)
//   network.devices  more backing-machine interfaces, one VM NIC each (eth1, eth2, ...)
//   vmHost           pin to one VM host, by name or numeric MAAS id
//   project          only VM hosts whose LXD project (VM host parameters) is this qualify
//
// Ownership: values only. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "maasprov/json.hpp"

namespace maasprov::lxd {

inline constexpr int64_t kDefaultDiskGB = 20;

struct LxdSpec {
  std::string profile;
  int64_t diskGB = kDefaultDiskGB;
  std::string storagePool;
  std::string bridge;
  std::vector<std::string> devices;
  std::string vmHost;
  std::string project;
};

// Bytes of a quantity ("20G", "20Gi", "512M", "1T", "50"); nullopt when it is not one.
std::optional<int64_t> quantityBytes(const json::Value& q);
// Whole GB (10^9 bytes), rounded up.
int64_t bytesToGBCeil(int64_t bytes);

// spec.lxdConfig; throws PluginError (InvalidSpec, terminal) listing every invalid field.
LxdSpec parseLxdSpec(const json::Value& spec);

// A DNS label of at most 63 characters from the object: "<name>-<5 chars of FNV-1a(ns/name/uid)>".
// The same object always gets the same name; same-named objects in other namespaces or with
// another uid get another one.
std::string vmHostname(const std::string& ns, const std::string& name, const std::string& uid);

}  // namespace maasprov::lxd
