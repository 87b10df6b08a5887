#include "framework/store/process_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "framework/store/errors.hpp"

namespace maasprov::store {

ProcessLock::ProcessLock(const std::string& dbPath) {
  const std::string path = dbPath + ".lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    throw StoreError("store " + dbPath + ": cannot open lock file " + path + ": " +
                     std::strerror(errno));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd_);
    if (error == EWOULDBLOCK) {
      throw StoreError("store " + dbPath + " is in use by another maasprovd (" + path +
                       " is locked); only one process may open it");
    }
    throw StoreError("store " + dbPath + ": cannot lock " + path + ": " + std::strerror(error));
  }
}

ProcessLock::~ProcessLock() {
  ::close(fd_);
}

}  // namespace maasprov::store
