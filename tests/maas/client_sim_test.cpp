// The client's typed operations against the maas-sim simulator over loopback sockets: every
// operation, every error class, retries counted by the simulator, authentication, TLS.
#include <Poco/Net/SSLManager.h>
#include <Poco/TemporaryFile.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "framework/maas/call.hpp"
#include "framework/maas/client.hpp"
#include "framework/maas/dns_resources.hpp"
#include "framework/maas/errors.hpp"
#include "framework/maas/inventory.hpp"
#include "framework/maas/machine_status.hpp"
#include "framework/maas/machines.hpp"
#include "framework/maas/vm_hosts.hpp"
#include "sim_process.hpp"
#include "test_certs.hpp"

namespace maas = maasprov::maas;
using maas::testing::SimProcess;
using namespace std::chrono_literals;

namespace {

SimProcess::Options simOptions() {
  SimProcess::Options o;
  o.inventory = MAAS_SIM_INVENTORY;
  return o;
}

maas::ClientConfig clientConfig(const SimProcess& sim, const std::string& key) {
  maas::ClientConfig c;
  c.url = sim.url();
  c.apiKey = key;
  c.connectTimeout = 2000ms;
  c.readTimeout = 5000ms;
  c.maxConnections = 4;
  c.retry.maxAttempts = 3;
  c.retry.baseBackoff = 10ms;
  c.retry.maxBackoff = 20ms;
  c.retry.maxRetryAfter = 20ms;  // the simulator asks for whole seconds; tests need not wait
  return c;
}

class ClientSim : public ::testing::Test {
 protected:
  ClientSim() : sim_(simOptions()), client_(clientConfig(sim_, sim_options_key())) {}

  static std::string sim_options_key() { return SimProcess::Options{}.apiKey; }

  const maas::Machine& byHostname(const std::vector<maas::Machine>& machines,
                                  const std::string& hostname) {
    const auto it = std::find_if(machines.begin(), machines.end(),
                                 [&](const auto& m) { return m.hostname == hostname; });
    if (it == machines.end()) throw std::runtime_error("no machine " + hostname);
    return *it;
  }

  std::string systemIdOf(const std::string& hostname) {
    maas::MachineFilter filter;
    filter.hostnames = {hostname};
    const auto found = machines_.list(filter);
    if (found.size() != 1) throw std::runtime_error("expected one machine " + hostname);
    return found[0].systemId;
  }

  // Polls until the machine reaches `status` (the simulator's transitions take fractions of a
  // second here); returns the last seen machine.
  maas::Machine waitForStatus(const std::string& systemId, int status) {
    maas::Machine m;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    do {
      m = machines_.get(systemId);
      if (m.status == status) return m;
      std::this_thread::sleep_for(50ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return m;
  }

  SimProcess sim_;
  maas::Client client_;
  maas::Machines machines_{client_};
  maas::VmHosts vmHosts_{client_};
  maas::DnsResources dns_{client_};
  maas::Inventory inventory_{client_};
};

maas::AllocateRequest bySystemId(const std::string& systemId) {
  maas::AllocateRequest request;
  request.systemId = systemId;
  return request;
}

std::vector<std::string> names(const auto& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_F(ClientSim, InventoryObjects) {
  EXPECT_EQ(names(inventory_.zones()), (std::vector<std::string>{"az1", "az2", "default"}));
  EXPECT_EQ(inventory_.zone("az2").name, "az2");
  const auto pools = inventory_.resourcePools();
  EXPECT_EQ(names(pools), (std::vector<std::string>{"control-plane", "default"}));
  const auto cp =
      std::find_if(pools.begin(), pools.end(), [](auto& p) { return p.name == "control-plane"; });
  EXPECT_EQ(inventory_.resourcePool(cp->id).name, "control-plane");
  EXPECT_EQ(names(inventory_.domains()), (std::vector<std::string>{"maas"}));
  const auto subnets = inventory_.subnets();
  ASSERT_EQ(subnets.size(), 1u);
  EXPECT_EQ(subnets[0].cidr, "10.20.0.0/24");
  EXPECT_EQ(subnets[0].gatewayIp, "10.20.0.1");
  EXPECT_EQ(inventory_.subnet(subnets[0].id).cidr, "10.20.0.0/24");
  const auto version = inventory_.version();
  EXPECT_EQ(version.version.rfind("3.", 0), 0u) << version.version;
  EXPECT_THROW(inventory_.zone("nowhere"), maas::NotFound);
}

TEST_F(ClientSim, ListFiltersIncludingManyIds) {
  const auto all = machines_.list();
  ASSERT_EQ(all.size(), 4u);  // three bare-metal machines and the LXD host
  const auto& small = byHostname(all, "small-1");
  EXPECT_EQ(small.status, maas::status::kReady);
  EXPECT_EQ(small.statusName, "Ready");
  EXPECT_EQ(small.zone.name, "az1");
  EXPECT_EQ(small.cpuCount, 4);
  EXPECT_EQ(small.memory, 8192);
  EXPECT_EQ(small.tagNames, (std::vector<std::string>{"ssd"}));

  maas::MachineFilter ids;
  ids.ids = {small.systemId, byHostname(all, "big-1").systemId};
  const auto two = machines_.list(ids);
  ASSERT_EQ(two.size(), 2u);
  for (const auto& m : two)
    EXPECT_TRUE(m.hostname == "small-1" || m.hostname == "big-1") << m.hostname;

  maas::MachineFilter tags;
  tags.tags = {"ssd", "gpu"};  // both must reach MAAS: only big-1 has both
  const auto tagged = machines_.list(tags);
  ASSERT_EQ(tagged.size(), 1u);
  EXPECT_EQ(tagged[0].hostname, "big-1");

  maas::MachineFilter zone;
  zone.zones = {"az2"};
  EXPECT_EQ(machines_.list(zone).size(), 1u);

  maas::MachineFilter pool;
  pool.pools = {"control-plane"};
  ASSERT_EQ(machines_.list(pool).size(), 1u);
  EXPECT_EQ(machines_.list(pool)[0].hostname, "mid-1");

  maas::MachineFilter unknown;
  unknown.extra = {{"colour", "red"}};
  try {
    machines_.list(unknown);
    FAIL() << "expected BadRequest";
  } catch (const maas::BadRequest& e) {
    ASSERT_EQ(e.fieldErrors().count("colour"), 1u) << e.body();
    EXPECT_EQ(e.fieldErrors().at("colour").at(0), "No such constraint.");
  }
}

TEST_F(ClientSim, BatchedPollingOfManyIds) {
  maas::MachineFilter filter;
  for (int i = 0; i < 200; ++i) filter.ids.push_back("gone" + std::to_string(i));
  for (const auto& m : machines_.list()) filter.ids.push_back(m.systemId);
  EXPECT_EQ(machines_.list(filter).size(), 4u);  // IDs MAAS does not know are simply not listed
  EXPECT_EQ(sim_.count("GET machines", "200"), 1u + 2u);
}

TEST_F(ClientSim, AllocateDeployAnnotateRelease) {
  maas::AllocateRequest want;
  want.tags = {"ssd"};
  want.zone = "az1";
  want.pool = "default";
  want.cpuCount = 2;
  want.memory = 4096;
  want.agentName = "cluster-a";
  const auto allocated = machines_.allocate(want);
  EXPECT_EQ(allocated.hostname, "small-1");  // the cheapest match
  EXPECT_EQ(allocated.status, maas::status::kAllocated);
  EXPECT_EQ(allocated.owner, "admin");

  maas::MachineFilter mine;
  mine.agentName = "cluster-a";
  const auto owned = machines_.list(mine);
  ASSERT_EQ(owned.size(), 1u);
  EXPECT_EQ(owned[0].systemId, allocated.systemId);

  maas::DeployRequest deploy;
  deploy.userData = "#cloud-config\npackages: [jq]\n";
  deploy.distroSeries = "jammy";
  deploy.hweKernel = "hwe-22.04";
  const auto deploying = machines_.deploy(allocated.systemId, deploy);
  EXPECT_EQ(deploying.status, maas::status::kDeploying);
  const auto deployed = waitForStatus(allocated.systemId, maas::status::kDeployed);
  EXPECT_EQ(deployed.statusName, "Deployed");
  EXPECT_EQ(deployed.powerState, "on");
  ASSERT_FALSE(deployed.ipAddresses.empty());
  EXPECT_EQ(deployed.ipAddresses[0].rfind("10.20.0.", 0), 0u) << deployed.ipAddresses[0];
  EXPECT_EQ(deployed.distroSeries, "jammy");

  const auto annotated =
      machines_.setWorkloadAnnotations(allocated.systemId, {{"cluster", "c1"}, {"role", "cp"}});
  EXPECT_EQ(annotated.workloadAnnotations.at("cluster"), "c1");
  EXPECT_EQ(machines_.get(allocated.systemId).workloadAnnotations.at("role"), "cp");

  maas::ReleaseRequest release;
  release.comment = "done";
  machines_.release(allocated.systemId, release);
  const auto ready = waitForStatus(allocated.systemId, maas::status::kReady);
  EXPECT_EQ(ready.status, maas::status::kReady);
  EXPECT_EQ(ready.owner, "");
  EXPECT_TRUE(ready.workloadAnnotations.empty());
  EXPECT_TRUE(machines_.list(mine).empty());  // agent_name cleared on release
}

TEST_F(ClientSim, FailedDeploymentIsVisible) {
  const auto allocated = machines_.allocate(bySystemId(systemIdOf("big-1")));
  sim_.failNextDeploy(allocated.systemId);
  machines_.deploy(allocated.systemId, {});
  const auto failed = waitForStatus(allocated.systemId, maas::status::kFailedDeployment);
  EXPECT_EQ(failed.status, maas::status::kFailedDeployment);
  EXPECT_TRUE(maas::status::isFailed(failed.status));
}

TEST_F(ClientSim, NoMatchAndConflictAreDifferentErrors) {
  try {
    maas::AllocateRequest tooBig;
    tooBig.cpuCount = 1000;
    machines_.allocate(tooBig);
    FAIL() << "expected NoMatch";
  } catch (const maas::NoMatch& e) {
    EXPECT_EQ(e.status(), 409);
    EXPECT_NE(e.body().find("No available machine matches constraints"), std::string::npos);
  }
  // Deploying a Deployed machine violates its state: a Conflict, not a NoMatch.
  try {
    machines_.deploy(systemIdOf("lxd-1"), {});
    FAIL() << "expected Conflict";
  } catch (const maas::NoMatch&) {
    FAIL() << "a state violation was taken for an allocation miss";
  } catch (const maas::Conflict& e) {
    EXPECT_EQ(e.status(), 409);
  }
}

TEST_F(ClientSim, BadRequestsCarryFieldErrorsOrText) {
  try {
    maas::AllocateRequest unknownTag;
    unknownTag.tags = {"nosuchtag"};
    machines_.allocate(unknownTag);
    FAIL() << "expected BadRequest";
  } catch (const maas::BadRequest& e) {
    ASSERT_EQ(e.fieldErrors().count("tags"), 1u) << e.body();
  }
  try {
    maas::call(client_, {"POST", "machines/", "frobnicate", {}});
    FAIL() << "expected BadRequest";
  } catch (const maas::BadRequest& e) {
    EXPECT_TRUE(e.fieldErrors().empty());
    EXPECT_EQ(e.body(), "Unrecognised signature: method=POST op=frobnicate");
  }
}

TEST_F(ClientSim, NotFound) {
  EXPECT_THROW(machines_.get("nosuch"), maas::NotFound);
  EXPECT_THROW(vmHosts_.get(999), maas::NotFound);
  EXPECT_THROW(dns_.remove(999), maas::NotFound);
}

TEST_F(ClientSim, WrongKeyIsUnauthorized) {
  for (const std::string key : {"simconsumer:simtoken:wrongsecret", "other:simtoken:simsecret"}) {
    maas::Client wrong(clientConfig(sim_, key));
    try {
      maas::Machines(wrong).list();
      FAIL() << "expected Unauthorized";
    } catch (const maas::Unauthorized& e) {
      EXPECT_EQ(e.status(), 401);
      EXPECT_EQ(std::string(e.what()).find("wrongsecret"), std::string::npos) << e.what();
    }
  }
}

TEST_F(ClientSim, PowerUpdateAndDelete) {
  const auto host = systemIdOf("lxd-1");  // Deployed and on
  machines_.powerOff(host);
  EXPECT_EQ(machines_.get(host).powerState, "off");
  machines_.powerOn(host);
  EXPECT_EQ(machines_.get(host).powerState, "on");

  const auto id = systemIdOf("mid-1");
  const auto updated = machines_.update(id, {{"description", "control plane spare"}});
  EXPECT_EQ(updated.description, "control plane spare");
  EXPECT_EQ(machines_.get(id).description, "control plane spare");
  machines_.remove(id);
  EXPECT_THROW(machines_.get(id), maas::NotFound);
}

TEST_F(ClientSim, VmHostsComposeAndDecompose) {
  const auto hosts = vmHosts_.list(true);
  ASSERT_EQ(hosts.size(), 1u);
  const auto& host = hosts[0];
  EXPECT_EQ(host.name, "lxd-1");
  EXPECT_EQ(host.type, "lxd");
  EXPECT_EQ(host.project, "maasprov");
  EXPECT_EQ(host.zone.name, "az1");
  EXPECT_EQ(host.total.cores, 16);
  EXPECT_EQ(host.total.memory, 32768);
  EXPECT_DOUBLE_EQ(host.cpuOverCommitRatio, 2.0);
  ASSERT_EQ(host.storagePools.size(), 2u);
  EXPECT_EQ(host.used.cores, 0);
  EXPECT_EQ(vmHosts_.parameters(host.id).project, "maasprov");
  EXPECT_EQ(vmHosts_.get(host.id).name, "lxd-1");

  maas::ComposeRequest compose;
  compose.cores = 2;
  compose.memory = 4096;
  compose.storage = {{"root", 20, "fast"}};
  compose.interfaces = {{"eth0", {{"subnet_cidr", "10.20.0.0/24"}}}};
  compose.hostname = "cp-vm-1";
  compose.zoneId = host.zone.id;
  compose.poolId = host.pool.id;
  compose.skipCommissioning = true;
  const auto composed = vmHosts_.compose(host.id, compose);
  EXPECT_FALSE(composed.systemId.empty());
  EXPECT_NE(composed.resourceUri.find(composed.systemId), std::string::npos);

  const auto vm = machines_.get(composed.systemId);
  EXPECT_EQ(vm.hostname, "cp-vm-1");
  EXPECT_EQ(vm.status, maas::status::kReady);
  ASSERT_TRUE(vm.pod.has_value());
  EXPECT_EQ(vm.pod->id, host.id);
  EXPECT_EQ(vm.cpuCount, 2);
  EXPECT_EQ(vm.memory, 4096);

  const auto after = vmHosts_.get(host.id);
  EXPECT_EQ(after.used.cores, 2);
  EXPECT_EQ(after.used.memory, 4096);
  const auto fast = std::find_if(after.storagePools.begin(), after.storagePools.end(),
                                 [](const auto& p) { return p.name == "fast"; });
  ASSERT_NE(fast, after.storagePools.end());
  EXPECT_EQ(fast->used, 20'000'000'000);

  // The host's name rules and capacity are MAAS's to enforce; their errors are typed.
  compose.storage = {{"root", 20, ""}};
  EXPECT_THROW(vmHosts_.compose(host.id, compose), maas::BadRequest);  // hostname taken
  maas::ComposeRequest huge;  // more than the "fast" pool holds: MAAS's 503 PodProblem
  huge.storage = {{"root", 1000, "fast"}};
  try {
    vmHosts_.compose(host.id, huge);
    FAIL() << "expected Unavailable";
  } catch (const maas::Unavailable& e) {
    EXPECT_FALSE(e.retryAfter().has_value());
  }

  machines_.remove(composed.systemId);  // decomposes the VM
  const auto freed = vmHosts_.get(host.id);
  EXPECT_EQ(freed.used.cores, 0);
  EXPECT_EQ(freed.used.memory, 0);
  EXPECT_EQ(machines_.list().size(), 4u);
}

TEST_F(ClientSim, DnsResources) {
  const auto existing = dns_.list("existing.maas");
  ASSERT_EQ(existing.size(), 1u);
  EXPECT_EQ(existing[0].ipAddresses, (std::vector<std::string>{"10.20.0.50"}));

  const auto created = dns_.create("api-c1.maas", {"10.20.0.60", "10.20.0.61"});
  EXPECT_EQ(created.fqdn, "api-c1.maas");
  EXPECT_EQ(created.ipAddresses, (std::vector<std::string>{"10.20.0.60", "10.20.0.61"}));
  const auto updated = dns_.update(created.id, {"10.20.0.62"});
  EXPECT_EQ(updated.ipAddresses, (std::vector<std::string>{"10.20.0.62"}));
  EXPECT_EQ(dns_.list("api-c1.maas").at(0).ipAddresses, (std::vector<std::string>{"10.20.0.62"}));
  EXPECT_EQ(dns_.list().size(), 2u);
  dns_.remove(created.id);
  EXPECT_TRUE(dns_.list("api-c1.maas").empty());
}

TEST_F(ClientSim, RetryAfterRetriesAreCountedByTheSimulator) {
  sim_.setFaults(R"({"endpoints": {"GET machines": {"503_retry_after": 1.0, "retry_after": 1}}})");
  try {
    machines_.list();
    FAIL() << "expected Unavailable";
  } catch (const maas::Unavailable& e) {
    ASSERT_TRUE(e.retryAfter().has_value());
    EXPECT_EQ(e.retryAfter()->count(), 1);
  }
  EXPECT_EQ(sim_.count("GET machines", "503"), 3u);  // maxAttempts

  sim_.setFaults(R"({"endpoints": {"POST machines op=allocate": {"409_retry_after": 0.5}}})");
  auto patient = clientConfig(sim_, sim_options_key());
  patient.retry.maxAttempts = 20;  // at rate 0.5, twenty conflicts in a row do not happen
  maas::Client client(patient);
  for (int i = 0; i < 3; ++i) maas::Machines(client).allocate({});
  const auto conflicts = sim_.count("POST machines op=allocate", "409");
  EXPECT_EQ(sim_.count("POST machines op=allocate", "200"), 3u);
  std::uint64_t clientConflicts = 0;
  for (const auto& c : client.requestCounts()) {
    if (c.endpoint == "POST machines/?op=allocate" && c.status == 409) clientConflicts = c.count;
  }
  EXPECT_GT(conflicts, 0u);
  EXPECT_EQ(clientConflicts, conflicts);
}

TEST_F(ClientSim, ServiceUnavailableWithoutRetryAfterIsSurfaced) {
  sim_.setFaults(R"({"endpoints": {"GET vm-hosts": {"503": 1.0}}})");
  EXPECT_THROW(vmHosts_.list(), maas::Unavailable);
  EXPECT_EQ(sim_.count("GET vm-hosts", "503"), 1u);
}

TEST_F(ClientSim, ResetsAreRetriedOnlyWhereSafe) {
  sim_.setFaults(R"({"endpoints": {"GET machines": {"reset": 1.0},
                                   "POST machines op=allocate": {"reset": 1.0}}})");
  EXPECT_THROW(machines_.list(), maas::TransportError);
  EXPECT_EQ(sim_.count("GET machines", "reset"), 3u);
  EXPECT_THROW(machines_.allocate({}), maas::TransportError);
  EXPECT_EQ(sim_.count("POST machines op=allocate", "reset"), 1u);
  // Nothing was allocated by the reset request.
  sim_.setFaults(R"({"endpoints": {}})");
  maas::MachineFilter allocated;
  allocated.statuses = {"allocated"};
  EXPECT_TRUE(machines_.list(allocated).empty());
}

TEST_F(ClientSim, ManyConcurrentCallersShareBoundedConnections) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 15; ++i) {
        if (machines_.list().size() == 4u) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 120);
  EXPECT_EQ(sim_.count("GET machines", "200"), 120u);
  std::uint64_t counted = 0;
  for (const auto& c : client_.requestCounts()) counted += c.count;
  EXPECT_EQ(counted, 120u);
}

TEST(ClientSimTls, VerifiedWithTheCaRefusedWithout) {
  Poco::Net::initializeSSL();
  Poco::TemporaryFile dir;
  dir.createDirectories();
  const auto cert = maas::testing::makeSelfSignedCert(dir.path(), "sim", "127.0.0.1", true);
  auto options = simOptions();
  options.tlsCert = cert.cert;
  options.tlsKey = cert.key;
  {
    SimProcess sim(options);
    auto config = clientConfig(sim, options.apiKey);
    config.caFile = cert.cert;
    maas::Client trusted(config);
    EXPECT_EQ(maas::Inventory(trusted).version().version.rfind("3.", 0), 0u);

    config.caFile.clear();
    maas::Client untrusted(config);
    EXPECT_THROW(maas::Inventory(untrusted).version(), maas::TransportError);
    EXPECT_EQ(sim.count("GET version"), 1u);  // only the trusted client's request arrived
  }
  Poco::Net::uninitializeSSL();
}
