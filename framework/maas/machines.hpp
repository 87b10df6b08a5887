// MAAS machines: listing with filters, allocation, deployment, release, power and annotations.
//
// Ownership: payload and request structs are plain values; Machines borrows the Transport, which
// must outlive it. Thread-safety: as thread-safe as the Transport (Client is). Every operation
// throws the typed errors of errors.hpp, TransportError, or ProtocolError for a bad payload.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "framework/maas/interfaces.hpp"
#include "framework/maas/inventory.hpp"
#include "framework/maas/transport.hpp"

namespace maasprov::maas {

struct PodRef {
  std::int64_t id = 0;
  std::string name;
};

struct Machine {
  std::string systemId;
  std::string hostname;
  std::string fqdn;
  int status = -1;  // machine_status.hpp; -1 when MAAS omits it (controllers)
  std::string statusName;
  std::string statusMessage;
  std::string powerState;  // "on", "off", "unknown", "error"
  std::string powerType;
  Zone zone;
  ResourcePool pool;
  std::string domain;
  std::optional<PodRef> pod;  // the VM host a composed machine lives on
  std::vector<std::string> ipAddresses;
  std::vector<std::string> tagNames;
  std::int64_t cpuCount = 0;
  std::int64_t memory = 0;  // MiB
  double storage = 0.0;     // MB, as MAAS reports it
  std::string owner;        // empty when unowned
  std::string architecture;
  std::string osystem;
  std::string distroSeries;
  std::string hweKernel;
  std::string description;
  bool locked = false;
  std::map<std::string, std::string> workloadAnnotations;
  std::vector<Interface> interfaces;
};

Machine parseMachine(const Poco::JSON::Object::Ptr& object, const std::string& what = "machine");

// IDs per machines/ request; keeps the query string near 1.5 KB with MAAS's 6-character IDs.
inline constexpr std::size_t kMaxIdsPerList = 150;

// List filters, as MAAS names them; every list becomes one repeated key.
struct MachineFilter {
  // Many at once, for batched status polling; more than kMaxIdsPerList are sent in several
  // requests whose answers are concatenated.
  std::vector<std::string> ids;
  std::vector<std::string> hostnames;
  std::vector<std::string> macAddresses;
  std::vector<std::string> tags;
  std::vector<std::string> zones;
  std::vector<std::string> pools;
  std::vector<std::string> statuses;  // e.g. "deployed", "ready"
  std::vector<std::string> pods;
  std::vector<std::string> domains;
  std::string agentName;
  std::string owner;
  Params extra;  // any other MAAS filter, passed as is
};

struct AllocateRequest {
  std::optional<std::int64_t> cpuCount;
  std::optional<std::int64_t> memory;  // MiB
  std::vector<std::string> tags;
  std::vector<std::string> notTags;
  std::string zone;
  std::vector<std::string> notInZone;
  std::string pool;
  std::vector<std::string> notInPool;
  std::string systemId;
  std::string name;  // hostname
  std::string arch;
  std::string pod;
  std::string notPod;
  std::string podType;
  std::string notPodType;
  std::string agentName;
  std::string comment;
  bool dryRun = false;
  Params extra;
};

struct DeployRequest {
  std::string userData;  // raw cloud-init; the client sends it base64-encoded
  std::string distroSeries;
  std::string hweKernel;
  std::string osystem;
  std::string agentName;
  std::string comment;
  std::optional<bool> installKvm;
  std::optional<bool> registerVmhost;
  std::optional<bool> ephemeralDeploy;
  Params extra;
};

struct ReleaseRequest {
  std::string comment;
  bool erase = false;
  bool quickErase = false;
  bool secureErase = false;
  bool force = false;
};

class Machines {
 public:
  explicit Machines(Transport& transport) : transport_(transport) {}

  std::vector<Machine> list(const MachineFilter& filter = {});  // GET machines/
  Machine get(const std::string& systemId);                     // GET machines/{id}/
  // POST machines/?op=allocate. NoMatch when nothing satisfies the constraints.
  Machine allocate(const AllocateRequest& request);
  Machine deploy(const std::string& systemId, const DeployRequest& request);  // op=deploy
  // op=release; safe to repeat (MAAS accepts releasing a Releasing or Ready machine).
  Machine release(const std::string& systemId, const ReleaseRequest& request = {});
  Machine powerOn(const std::string& systemId, const std::string& comment = {});
  Machine powerOff(const std::string& systemId, const std::string& comment = {});
  // op=set_workload_annotations; an empty value removes that annotation. Safe to repeat.
  Machine setWorkloadAnnotations(const std::string& systemId,
                                 const std::map<std::string, std::string>& annotations);
  // PUT machines/{id}/ with the given fields (hostname, description, zone, pool, ...).
  Machine update(const std::string& systemId, const Params& fields);
  // DELETE machines/{id}/ (for a composed machine MAAS also removes the VM).
  void remove(const std::string& systemId);

 private:
  Transport& transport_;
};

}  // namespace maasprov::maas
