#include "cluster_endpoint.hpp"

#include <cstdint>

#include "maasprov/error.hpp"

namespace maasprov::dns {
namespace {

const json::Value& member(const json::Value& v, const char* key) {
  static const json::Value empty = json::Value::object();
  const json::Value* m = v.find(key);
  return m != nullptr && m->isObject() ? *m : empty;
}

bool isDnsSubdomain(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    std::string label = s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return true;
}

std::string got(const json::Value& v) {
  return std::string(", got ") + json::typeName(v.type());
}

}  // namespace

std::string generatedName(const std::string& cluster, const std::string& stableKey,
                          const std::string& domain) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a: stable across builds and platforms
  for (unsigned char c : stableKey) {
    h ^= c;
    h *= 1099511628211ull;
  }
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string suffix;
  for (int i = 0; i < 5; ++i) {
    suffix += kAlphabet[h % 36];
    h /= 36;
  }
  std::string label = cluster.substr(0, 63 - 6);
  while (!label.empty() && label.back() == '-') label.pop_back();
  return label + "-" + suffix + "." + domain;
}

ClusterEndpoint ClusterEndpoint::fromCluster(const json::Value& cluster) {
  std::string errors;
  auto error = [&errors](const std::string& field, const std::string& what) {
    errors += (errors.empty() ? "" : "; ") + field + ": " + what;
  };
  ClusterEndpoint e;
  const json::Value& meta = member(cluster, "metadata");
  const json::Value& spec = member(cluster, "spec");
  const json::Value* name = meta.find("name");
  if (name == nullptr || !name->isString() || name->asString().empty()) {
    error("metadata.name", "required, a non-empty string");
  } else {
    e.clusterName = name->asString();
  }
  const json::Value* annotations = meta.find("annotations");
  e.custom = annotations != nullptr && annotations->isObject() &&
             annotations->contains(kCustomDnsAnnotation);

  const json::Value* domain = spec.find("dnsDomain");
  if (domain == nullptr || domain->isNull()) {
    error("spec.dnsDomain", "required, a DNS domain known to MAAS such as \"maas\"");
  } else if (!domain->isString() || !isDnsSubdomain(domain->asString())) {
    error("spec.dnsDomain",
          "expected a DNS subdomain such as \"maas\" or \"maas.example.com\"" +
              (domain->isString() ? ", got \"" + domain->asString() + "\"" : got(*domain)));
  } else {
    e.dnsDomain = domain->asString();
  }

  const json::Value* endpoint = spec.find("controlPlaneEndpoint");
  if (endpoint != nullptr && !endpoint->isNull()) {
    if (!endpoint->isObject()) {
      error("spec.controlPlaneEndpoint", "expected an object {host, port}" + got(*endpoint));
    } else {
      const json::Value* host = endpoint->find("host");
      if (host != nullptr && !host->isNull()) {
        if (!host->isString() || host->asString().empty()) {
          error("spec.controlPlaneEndpoint.host", "expected a non-empty host name" + got(*host));
        } else {
          e.host = host->asString();
          e.hostFromSpec = true;
        }
      }
      const json::Value* port = endpoint->find("port");
      if (port != nullptr && !port->isNull()) {
        if (!port->isInt() || port->asInt() < 1 || port->asInt() > 65535) {
          error("spec.controlPlaneEndpoint.port",
                "expected an integer between 1 and 65535, got " + port->dump());
        } else {
          e.port = static_cast<int>(port->asInt());
        }
      }
    }
  }
  if (e.custom && e.host.empty()) {
    error("spec.controlPlaneEndpoint.host",
          std::string("required when the annotation ") + kCustomDnsAnnotation + " is set");
  }

  const json::Value* subnets = spec.find("preferredSubnets");
  if (subnets != nullptr && !subnets->isNull()) {
    if (!subnets->isArray()) {
      error("spec.preferredSubnets", "expected a list of CIDRs" + got(*subnets));
    } else {
      for (size_t i = 0; i < subnets->asArray().size(); ++i) {
        const json::Value& s = subnets->asArray()[i];
        auto cidr = s.isString() ? Cidr::parse(s.asString()) : std::nullopt;
        if (!cidr) {
          error("spec.preferredSubnets[" + std::to_string(i) + "]",
                "expected a CIDR such as \"10.0.0.0/24\" or \"fd00::/64\"" +
                    (s.isString() ? ", got \"" + s.asString() + "\"" : got(s)));
        } else {
          e.preferredSubnets.push_back(*cidr);
        }
      }
    }
  }
  if (!errors.empty()) throw PluginError(ErrorType::InvalidSpec, errors);

  if (e.host.empty()) {
    const json::Value& status = member(cluster, "status");
    const json::Value* reported = member(status, "network").find("dnsName");
    const std::string suffix = "." + e.dnsDomain;
    if (reported != nullptr && reported->isString() &&
        reported->asString().size() > suffix.size() &&
        reported->asString().compare(reported->asString().size() - suffix.size(), suffix.size(),
                                     suffix) == 0) {
      e.host = reported->asString();  // keep the name users already rely on
    } else {
      const json::Value* uid = meta.find("uid");
      const json::Value* ns = meta.find("namespace");
      std::string key = uid != nullptr && uid->isString() && !uid->asString().empty()
                            ? uid->asString()
                            : (ns != nullptr && ns->isString() ? ns->asString() : "default") + "/" +
                                  e.clusterName;
      e.host = generatedName(e.clusterName, key, e.dnsDomain);
    }
  }
  return e;
}

}  // namespace maasprov::dns
