// MAAS transports the conformance kit puts behind a plugin: a real MAAS (or maas-sim) reached
// through maasprov's own client, and in-process stand-ins for a MAAS that is unreachable or
// answers garbage. Every request, and every checkpoint attempt, is appended to one event log so
// scenarios can check ordering (no MAAS write after a refused checkpoint) and count operations.
//
// Ownership: RecordingTransport borrows its inner transport (must outlive it).
// Thread-safety: send() and the event log are safe to use concurrently.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "framework/maas/transport.hpp"

namespace maasprov::check {

struct Event {
  enum class Kind { MaasRequest, CheckpointStored, CheckpointRefused } kind;
  std::string method, path, op;
  int status = 0;  // HTTP status; -1 when the transport failed
  // Acquisitions only: the system_id asked for (allocate's `system_id` parameter) and the one
  // MAAS answered with, so the same machine composed then allocated counts once.
  std::string requestedSystemId, answeredSystemId;
  bool isWrite() const { return kind == Kind::MaasRequest && method != "GET"; }
  bool isAcquisition() const {  // requests that take a machine or create a VM
    return kind == Kind::MaasRequest && method == "POST" && (op == "allocate" || op == "compose");
  }
  bool succeeded() const { return status >= 200 && status < 300; }
  // The machine a successful acquisition took; "" when MAAS did not say which.
  const std::string& acquiredSystemId() const {
    return answeredSystemId.empty() ? requestedSystemId : answeredSystemId;
  }
};

class EventLog {
 public:
  void add(Event e);
  std::vector<Event> snapshot() const;
  void clear();

 private:
  mutable std::mutex mutex_;
  std::vector<Event> events_;
};

// Fails every request as a transport error (no MAAS reachable).
class UnreachableTransport : public maas::Transport {
 public:
  maas::Response send(const maas::Request& request) override;
};

// Answers every request with the same canned status and body (e.g. 500 + HTML, 200 + non-JSON).
class CannedTransport : public maas::Transport {
 public:
  CannedTransport(int status, std::string contentType, std::string body);
  maas::Response send(const maas::Request& request) override;

 private:
  int status_;
  std::string contentType_;
  std::string body_;
};

class RecordingTransport : public maas::Transport {
 public:
  RecordingTransport(maas::Transport& inner, EventLog& log) : inner_(inner), log_(log) {}
  maas::Response send(const maas::Request& request) override;

 private:
  maas::Transport& inner_;
  EventLog& log_;
};

// The production client for --maas-url/--maas-key. Throws with a clear message when unusable.
std::unique_ptr<maas::Transport> makeMaasClient(const std::string& url, const std::string& key);

// Asks MAAS for its version; returns "" when it answered, else why not (one line).
std::string probeMaas(const std::string& url, const std::string& key);

}  // namespace maasprov::check
