// One process per database file: an exclusive flock on "<db>.lock", taken for the lifetime of
// the object and released by the kernel even when the owner is killed. It is what lets the
// SQLite store trust its in-memory state (the change feed's tail, RecentDocuments): no other
// process writes the file.
//
// Ownership: owns the lock file's descriptor. Thread-safety: construction and destruction only.
#pragma once

#include <string>

namespace maasprov::store {

class ProcessLock {
 public:
  // Throws StoreError naming the database when the lock file cannot be opened, or when another
  // process holds it ("... is in use by another maasprovd").
  explicit ProcessLock(const std::string& dbPath);
  ~ProcessLock();  // closing releases the lock
  ProcessLock(const ProcessLock&) = delete;
  ProcessLock& operator=(const ProcessLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace maasprov::store
