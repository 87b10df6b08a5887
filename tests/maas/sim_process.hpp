// Runs the maas-sim simulator for one test (through the shared launcher tests/sim/
// sim_process.hpp, on an ephemeral 127.0.0.1 port), optionally over HTTPS, and talks to its
// control endpoint (/_sim/...) to read counters and state or set faults.
//
// Ownership: owns the launcher, hence the child process; the destructor stops it.
// Thread-safety: one test thread uses an instance; control calls open their own connections.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace maassim::testing {
class SimProcess;
}

namespace maasprov::maas::testing {

class SimProcess {
 public:
  struct Options {
    std::string inventory;
    std::string apiKey = "simconsumer:simtoken:simsecret";
    double deploySeconds = 0.3;
    double commissionSeconds = 0.2;
    double releaseSeconds = 0.2;
    std::string tlsCert;  // serve HTTPS when set (with tlsKey)
    std::string tlsKey;
  };

  // Starts the simulator and waits until it listens. Throws std::runtime_error.
  explicit SimProcess(Options options);
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  // e.g. "http://127.0.0.1:41234/MAAS"
  std::string url() const;
  std::uint16_t port() const;

  // GET /_sim/counters: {"endpoints": {label: {status: n, "total": n}}, "total": n}.
  Poco::JSON::Object::Ptr counters() const;
  // Requests the simulator counted for `label` ("POST machines op=allocate") and `status`
  // ("200", "503", "reset", or "total").
  std::uint64_t count(const std::string& label, const std::string& status = "total") const;
  Poco::JSON::Object::Ptr state() const;          // GET /_sim/state
  void setFaults(const std::string& json) const;  // POST /_sim/faults
  void failNextDeploy(const std::string& systemId) const;

 private:
  std::string control(const std::string& method, const std::string& path,
                      const std::string& body = {}) const;

  std::unique_ptr<maassim::testing::SimProcess> process_;
  bool tls_ = false;
};

}  // namespace maasprov::maas::testing
