#include "framework/maas/session_pool.hpp"

#include <stdexcept>

namespace maasprov::maas {

SessionPool::Lease::Lease(SessionPool& pool, std::unique_ptr<Poco::Net::HTTPClientSession> session)
    : pool_(&pool), session_(std::move(session)) {}

SessionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), session_(std::move(other.session_)) {
  other.pool_ = nullptr;
}

SessionPool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->giveBack(std::move(session_));
}

void SessionPool::Lease::discard() {
  if (session_) {
    try {
      session_->reset();
    } catch (...) {
      // Closing a broken socket may fail; the session is dropped either way.
    }
    session_.reset();
  }
}

SessionPool::SessionPool(Factory factory, std::size_t maxSessions)
    : factory_(std::move(factory)), maxSessions_(maxSessions) {
  if (maxSessions_ == 0) throw std::invalid_argument("maxConnections: expected at least 1");
}

SessionPool::Lease SessionPool::acquire() {
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [this] { return lent_ < maxSessions_; });
    ++lent_;
    if (!idle_.empty()) {
      session = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!session) {
    try {
      session = factory_();
    } catch (...) {
      giveBack(nullptr);
      throw;
    }
  }
  return Lease(*this, std::move(session));
}

void SessionPool::giveBack(std::unique_ptr<Poco::Net::HTTPClientSession> session) {
  {
    std::lock_guard lock(mutex_);
    --lent_;
    if (session) idle_.push_back(std::move(session));
  }
  available_.notify_one();
}

}  // namespace maasprov::maas
