// A bounded pool of keep-alive HTTP(S) sessions to one MAAS region.
//
// Ownership: the pool owns every idle session; a Lease owns its session while borrowed and gives
// it back on destruction unless discard() was called (a session that failed mid-request is in an
// unknown state and must not be reused). The pool must outlive its leases.
// Thread-safety: acquire() may be called from any thread; it blocks while maxSessions sessions
// are lent out. A Lease itself is used by one thread at a time.
#pragma once

#include <Poco/Net/HTTPClientSession.h>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace maasprov::maas {

class SessionPool {
 public:
  using Factory = std::function<std::unique_ptr<Poco::Net::HTTPClientSession>()>;

  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    Poco::Net::HTTPClientSession& session() { return *session_; }
    // Closes the session and frees its slot instead of returning it to the idle list.
    void discard();

   private:
    friend class SessionPool;
    Lease(SessionPool& pool, std::unique_ptr<Poco::Net::HTTPClientSession> session);
    SessionPool* pool_;
    std::unique_ptr<Poco::Net::HTTPClientSession> session_;
  };

  // maxSessions >= 1. The factory creates an unconnected session; it is called with no lock held.
  SessionPool(Factory factory, std::size_t maxSessions);
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  // Reuses an idle session (most recently used first, the likeliest to be still open) or opens
  // a new one; waits while all maxSessions are lent out.
  Lease acquire();

  std::size_t maxSessions() const { return maxSessions_; }

 private:
  void giveBack(std::unique_ptr<Poco::Net::HTTPClientSession> session);

  Factory factory_;
  const std::size_t maxSessions_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Poco::Net::HTTPClientSession>> idle_;
  std::size_t lent_ = 0;
};

}  // namespace maasprov::maas
