// The system under measurement: maas-sim and maasprovd as real processes (the real plugins from
// the build tree), and a small client for the daemon's REST API, its /metrics and the
// simulator's /_sim/ counters.
//
// Ownership: Stack owns both processes and the daemon's working directory; they stop (SIGTERM,
// then SIGKILL) when it is destroyed. Thread-safety: api()/metrics()/simCounters() open their
// own connection per call and may be used from several threads; start/stop from one thread.
#pragma once

#include <Poco/JSON/Object.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace maasprov::bench {

struct StackOptions {
  std::string inventoryYaml;
  std::vector<std::string> simArgs;           // e.g. {"--latency-ms", "10"}
  std::map<std::string, std::string> daemon;  // extra maasprovd.properties keys (override defaults)
  std::string stateDir;                       // where the daemon's SQLite file lives
  // Another build tree whose maasprovd (bin/) and plugins (lib/maasprov/plugins/) to run, for
  // A/B runs that keep this build's simulator and harness; empty: this build's.
  std::string daemonBuild;
};

struct Reply {
  int status = 0;
  std::string body;
};

class Stack {
 public:
  explicit Stack(StackOptions options);
  ~Stack();
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  // Stops maasprovd (SIGTERM) and starts it again on the same store with `settings` on top of
  // the bench's paths and keys only: the constructor's StackOptions::daemon do NOT carry over,
  // so an empty map means the shipped defaults. The simulator keeps running and its state.
  void restartDaemon(const std::map<std::string, std::string>& settings);

  int daemonPid() const;
  int simPid() const;
  int daemonPort() const { return daemonPort_; }
  std::string daemonLogTail(size_t bytes = 4000) const;
  bool daemonRunning() const;

  // REST API of maasprovd, with the bearer token.
  Reply api(const std::string& method, const std::string& path, const std::string& body = "") const;
  // Prometheus text of /metrics, parsed into "name{labels}" -> value.
  std::map<std::string, double> metrics() const;

  // maas-sim's /_sim/counters: endpoint label -> total requests, and the grand total.
  std::map<std::string, double> simCounters(double* total = nullptr) const;
  void resetSimCounters() const;
  Poco::JSON::Object::Ptr simState() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int daemonPort_ = 0;
};

// Sum of every metric sample whose name is `name` and whose labels contain all of `has`
// (e.g. {"plugin=\"lxd\""}).
double sumMetric(const std::map<std::string, double>& metrics, const std::string& name,
                 const std::vector<std::string>& has = {});

}  // namespace maasprov::bench
