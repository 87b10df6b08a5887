// The embedded default Store: one SQLite file through Poco::Data::SQLite.
//
// The file is opened in WAL mode with synchronous=FULL, so every write acknowledged by a
// returning call is on disk and survives kill -9 and power loss. One process owns a file at a
// time (enforced with a lock on "<path>.lock"); a second opener gets a StoreError. The change
// feed is an events table written in the same transaction as the object, so a watch can resume
// from any resourceVersion still retained, even across restarts; the most recent events are also
// kept in memory, so a watch that keeps up reads no SQL, and so are the texts of the objects
// written last (4 MiB by default), so a get() of one of them reads no SQL either.
//
// Ownership: SqliteStore owns its database connections and the watch threads of its
// subscriptions; every Subscription it returns must be destroyed before it.
// Thread-safety: all methods may be called concurrently from any number of threads. Writes are
// group-committed: those that arrive while a commit is in progress are run together, each in a
// savepoint of its own, in the next transaction (one fsync for all of them, at most 256), and
// every caller returns once that transaction is durable; a lone write commits at once. Reads
// use their own connections and do not wait for writes. Each running scan or
// list holds a read connection of its own for its snapshot (idle ones are kept for reuse).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "framework/store/store.hpp"

namespace maasprov::store {

class SqliteStore final : public Store {
 public:
  struct Options {
    std::string path;  // the database file; its directory is created if missing
    // How many recent writes the change feed keeps for watches resuming from an old version.
    std::size_t eventRetention = 10000;
    // How long a statement waits for a lock held by another connection before failing.
    std::chrono::milliseconds busyTimeout{5000};
    // Memory for the texts of recently written objects, which get() reads without SQLite
    // (recent_documents.hpp); 0 reads every object from the file.
    std::size_t recentDocumentBytes = 4 << 20;
  };

  // Opens or creates the file, migrates its schema and takes the process lock. Throws StoreError
  // naming the path when the file cannot be opened, is locked by another process or is newer.
  explicit SqliteStore(Options options);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Document create(const Document& object) override;
  Document get(const ObjectKey& key) override;
  std::shared_ptr<const std::string> getText(const ObjectKey& key) override;
  ListResult list(const std::string& kind, const std::optional<std::string>& ns,
                  const LabelPredicate& selector = {}) override;
  std::uint64_t scan(const std::string& kind, const std::optional<std::string>& ns,
                     const std::function<void(const Document&)>& visit) override;
  std::uint64_t scanTexts(const std::string& kind, const std::optional<std::string>& ns,
                          const std::function<void(std::string_view text)>& visit) override;
  Document update(const Document& object) override;
  Document updateStatus(const Document& object) override;
  // Decides the usual status write on texts (status_text_update.hpp) and returns `object`.
  Document updateStatusTaking(Document object) override;
  RemoveResult remove(const ObjectKey& key) override;
  std::unique_ptr<Subscription> watch(std::uint64_t fromResourceVersion,
                                      WatchCallback callback) override;
  // Events carry the feed's own shared text; nothing is parsed.
  std::unique_ptr<Subscription> watchTexts(std::uint64_t fromResourceVersion,
                                           WatchCallback callback) override;

  int schemaVersion() const;

  // Counters since opening, e.g. for metrics. `commits`: write transactions committed, one fsync
  // each. `writes`: writes they carried that changed something (each got a resourceVersion);
  // failed and no-op writes are not counted. writes / commits is the average batch.
  struct WriteStats {
    std::uint64_t commits = 0;
    std::uint64_t writes = 0;
  };
  WriteStats writeStats() const;

  struct Impl;  // public so the subscription type in the .cpp can reach it

 private:
  std::unique_ptr<Subscription> subscribe(std::uint64_t fromResourceVersion, WatchCallback callback,
                                          bool parse);

  std::unique_ptr<Impl> impl_;
};

}  // namespace maasprov::store
