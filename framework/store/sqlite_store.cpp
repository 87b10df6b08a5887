#include "framework/store/sqlite_store.hpp"

#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "framework/store/feed_tail.hpp"
#include "framework/store/object_rules.hpp"
#include "framework/store/process_lock.hpp"
#include "framework/store/recent_documents.hpp"
#include "framework/store/sqlite_connection.hpp"
#include "framework/store/sqlite_schema.hpp"
#include "framework/store/status_text_update.hpp"

namespace maasprov::store {
namespace {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using sqlite::bindText;
using sqlite::columnText;
using sqlite::Connection;
using sqlite::openSession;
using sqlite::prepareStatement;
using sqlite::Session;
using sqlite::Sql;
using sqlite::Transaction;
using sqlite::WriteTransaction;

constexpr std::size_t kEventBatch = 256;      // events a watch reads per query
constexpr std::size_t kIdleScanSessions = 4;  // read connections kept for later scans
// Writes one commit may carry: bounds a batch's transaction (and the WAL it appends) and the
// wait of the last caller in it.
constexpr std::size_t kMaxBatch = 256;
// Recent events kept in memory for watches (about 1 MB of 2 KB documents): a batch's worth
// twice, so a watch a commit behind still reads no SQL.
constexpr std::size_t kTailEvents = 2 * kMaxBatch;

// Turns database failures into StoreError so callers catch one family of errors.
template <class F>
auto guarded(const std::string& path, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const StoreError&) {
    throw;
  } catch (const Poco::Exception& e) {
    throw StoreError("store " + path + ": " + e.displayText());
  }
}

std::string errorText(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const Poco::Exception& e) {
    return e.displayText();
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

std::optional<std::string> readDocument(Connection& connection, const ObjectKey& key) {
  auto run = connection.run(Sql::SelectDocument);
  run.text(1, key.kind).text(2, key.ns).text(3, key.name);
  if (!run.step()) return std::nullopt;
  return std::string(run.columnText(0));
}

EventType eventType(std::string_view text) {
  if (text == "ADDED") return EventType::Added;
  if (text == "MODIFIED") return EventType::Modified;
  return EventType::Deleted;
}

// Labels from the JSON text of metadata.labels (empty when absent), as rules::labelsOf reads them.
Labels labelsFromJson(std::string_view json) {
  Labels labels;
  if (json.empty()) return labels;
  const Document parsed = rules::parse(std::string(json));  // keeps the object alive while read
  for (const auto& [name, value] : *parsed) labels[name] = value.toString();
  return labels;
}

// The object of an ERROR watch event: a Kubernetes Status, as the REST API will stream it.
Document failureStatus(int code, const std::string& reason, const std::string& message) {
  Document status = new Poco::JSON::Object;
  status->set("kind", "Status");
  status->set("apiVersion", "v1");
  status->set("status", "Failure");
  status->set("code", code);
  status->set("reason", reason);
  status->set("message", message);
  return status;
}

}  // namespace

struct SqliteStore::Impl {
  // `stored` (null when absent) was parsed for this write alone: a rule may take it over.
  using Decide = std::function<rules::WritePlan(Document* stored, std::uint64_t version)>;
  // A decision on the stored text alone, tried first when given: the plan and, when it changes
  // the object, its new text. nullopt: parse the stored object and use Decide.
  struct TextPlan {
    rules::WritePlan plan;
    std::string text;
  };
  using DecideText =
      std::function<std::optional<TextPlan>(std::string_view stored, std::uint64_t version)>;

  // A write waiting in the group-commit queue. It lives on its caller's stack; the caller blocks
  // until `done`, so the leader that runs it may use `key` and `decide` until then.
  struct PendingWrite {
    const ObjectKey& key;
    const Decide& decide;
    const DecideText* decideText;  // optional
    rules::WritePlan plan;         // set by the leader when the write succeeded
    std::uint64_t version = 0;     // the resourceVersion it got, when it changed the object
    std::exception_ptr error;      // set by the leader when it failed
    bool done = false;             // set under queueMutex once the batch is committed (or failed)
    bool lead = false;             // set under queueMutex: its caller leads the next batch
    // Its caller alone waits here, so a batch wakes exactly its own callers and the next leader
    // instead of every waiting write.
    std::condition_variable wake;
  };

  Options options;
  ProcessLock lock;

  std::mutex writeMutex;  // guards writer, lastVersion, compactedVersion writes
  std::optional<Connection> writer;
  std::uint64_t lastVersion = 0;
  std::atomic<std::uint64_t> compactedVersion{0};

  // Group commit: writes queue here; one caller at a time leads a batch (see write()).
  std::mutex queueMutex;  // guards queue, leaderActive and every queued write's `done`, `lead`
  std::vector<PendingWrite*> queue;  // oldest first
  bool leaderActive = false;
  std::atomic<std::uint64_t> commits{0};          // transactions committed (one fsync each)
  std::atomic<std::uint64_t> committedWrites{0};  // writes they carried that changed something

  std::mutex readMutex;  // guards reader
  std::optional<Connection> reader;
  // What get() reads first: the texts the writer committed last (see recent_documents.hpp).
  RecentDocuments recent;

  // Read connections for scan and list: each holds one for its whole snapshot, so a visitor may
  // call the store (even write) without waiting on a lock the scan holds.
  std::mutex scanPoolMutex;  // guards idleScanSessions
  std::vector<std::unique_ptr<Session>> idleScanSessions;

  // The text of an event is shared by every reader of the tail; each parsing watch parses its
  // own copy, since callbacks may modify what they are given.
  using FeedEvent = FeedTail::Event;
  // Empty after opening: a watch behind the tail reads the events table.
  std::optional<FeedTail> tail;

  explicit Impl(Options opts)
      : options(std::move(opts)), lock(prepare(options)), recent(options.recentDocumentBytes) {
    writer.emplace(openSession(options.path, options.busyTimeout), options.path);
    std::string mode;
    writer->session() << "PRAGMA journal_mode = WAL", into(mode), now;
    if (mode != "wal") {
      throw StoreError("store " + options.path + ": cannot switch to WAL mode (got \"" + mode +
                       "\"); is the file on a filesystem without shared memory?");
    }
    sqlite::migrate(writer->session(), options.path);
    // The store may hold secrets (a Secret's data): owner-only, and SQLite gives the WAL the same.
    std::filesystem::permissions(
        options.path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    Poco::Int64 last = 0;
    Poco::Int64 compacted = 0;
    writer->session() << "SELECT last_rv, compacted_rv FROM store_state", into(last),
        into(compacted), now;
    lastVersion = static_cast<std::uint64_t>(last);
    compactedVersion = static_cast<std::uint64_t>(compacted);
    tail.emplace(kTailEvents, lastVersion);
    reader.emplace(openSession(options.path, options.busyTimeout), options.path);
  }

  static const std::string& prepare(const Options& options) {
    const std::string& path = options.path;
    if (path.empty()) throw StoreError("store path: expected a file name, got an empty string");
    if (options.eventRetention == 0) {
      throw StoreError("store eventRetention: expected at least 1 event to keep, got 0");
    }
    if (options.busyTimeout.count() < 0) {
      throw StoreError("store busyTimeout: expected a duration of 0 ms or more, got " +
                       std::to_string(options.busyTimeout.count()) + " ms");
    }
    const auto dir = std::filesystem::path(path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir);
    return path;
  }

  // One write, group-committed: the caller queues it and either leads — takes the queued writes
  // (up to kMaxBatch, its own first), runs them in one transaction with one fsync, wakes their
  // callers and hands the lead to the oldest write still queued — or waits until a leader has
  // run its write or handed it the lead. A lone write leads at once, so it waits for nothing but
  // its own commit.
  // The write's plan, and the resourceVersion it got when it changed the object.
  std::pair<rules::WritePlan, std::uint64_t> write(const ObjectKey& key, const Decide& decide,
                                                   const DecideText* decideText = nullptr) {
    PendingWrite self{key, decide, decideText, {}, 0, nullptr, false, false, {}};
    std::unique_lock lock(queueMutex);
    queue.push_back(&self);
    if (leaderActive) {
      self.wake.wait(lock, [&] { return self.done || self.lead; });
    } else {
      leaderActive = true;  // the queue was empty: a finishing leader hands over otherwise
    }
    if (!self.done) {
      // Leading: this write is the oldest queued one, so it is in the batch.
      const auto count = std::min(queue.size(), kMaxBatch);
      std::vector<PendingWrite*> batch(queue.begin(), queue.begin() + count);
      queue.erase(queue.begin(), queue.begin() + count);
      lock.unlock();
      runBatch(batch);  // never throws: failures are recorded per write
      lock.lock();
      for (auto* write : batch) {
        write->done = true;
        if (write != &self) write->wake.notify_one();
      }
      if (queue.empty()) {
        leaderActive = false;
      } else {
        queue.front()->lead = true;
        queue.front()->wake.notify_one();
      }
    }
    if (self.error) std::rethrow_exception(self.error);
    return {std::move(self.plan), self.version};
  }

  // Runs `batch` in one BEGIN IMMEDIATE transaction, each write (when there are several) inside
  // its own SAVEPOINT so that its failure rolls back only itself and reaches only its caller;
  // commits once, then publishes the new versions to the watches. If the transaction itself is
  // lost (its commit failed, or SQLite rolled it back after an I/O error), every write of the
  // batch gets the error: none of them happened.
  void runBatch(const std::vector<PendingWrite*>& batch) {
    std::lock_guard guard(writeMutex);
    const bool savepoints = batch.size() > 1;
    std::uint64_t version = lastVersion;
    std::uint64_t compactTo = 0;
    std::vector<FeedEvent> events;       // of the writes kept, for the tail once committed
    std::vector<const ObjectKey*> keys;  // events[i] is a write of *keys[i]
    try {
      guarded(options.path, [&] {
        WriteTransaction tx(*writer);
        for (auto* write : batch) {
          const std::size_t eventsBefore = events.size();
          if (savepoints) writer->execute(Sql::Savepoint);
          try {
            // A key this batch already wrote reads its uncommitted row; any other, its committed
            // text from `recent` when held (filled only here, under writeMutex, after commits).
            const bool writtenHere = std::any_of(
                keys.begin(), keys.end(), [&](const ObjectKey* k) { return *k == write->key; });
            write->plan = apply(write->key, write->decide, write->decideText, version + 1, events,
                                writtenHere ? nullptr : recent.find(write->key));
            if (write->plan.changed) {
              ++version;
              write->version = version;
              keys.push_back(&write->key);
            }
            if (savepoints) writer->execute(Sql::Release);
          } catch (...) {
            write->error = std::current_exception();
            write->plan = {};
            events.resize(eventsBefore);
            keys.resize(eventsBefore);
            if (!savepoints) continue;
            // An I/O error may have rolled back the whole transaction: then nothing can be kept.
            if (sqlite3_get_autocommit(writer->db())) {
              throw StoreError(
                  "store " + options.path +
                  ": the batched transaction was rolled back after: " + errorText(write->error));
            }
            writer->execute(Sql::RollbackToSavepoint);
            writer->execute(Sql::Release);
          }
        }
        if (version == lastVersion) return;  // nothing changed: nothing to commit or fsync
        writer->run(Sql::SetLastVersion).integer(1, static_cast<std::int64_t>(version)).execute();
        compactTo = compactionPoint(version);
        if (compactTo != 0) {
          const auto to = static_cast<std::int64_t>(compactTo);
          writer->run(Sql::DeleteEvents).integer(1, to).execute();
          writer->run(Sql::SetCompactedVersion).integer(1, to).execute();
        }
        tx.commit();
        commits.fetch_add(1, std::memory_order_relaxed);
      });
    } catch (...) {
      const auto failure = std::current_exception();
      for (auto* write : batch) {
        write->error = failure;
        write->plan = {};
      }
      return;
    }
    if (version == lastVersion) return;
    committedWrites.fetch_add(version - lastVersion, std::memory_order_relaxed);
    lastVersion = version;
    if (compactTo != 0) compactedVersion = compactTo;
    // Before any caller returns, so a get() after a write reads it.
    for (std::size_t i = 0; i < events.size(); ++i) {
      recent.put(*keys[i], events[i].type == EventType::Deleted ? nullptr : events[i].document);
    }
    tail->publish(version, std::move(events), compactedVersion);
  }

  // One write inside the batch's transaction: read the current row, let `decide` apply the
  // store's rules, then write the object and its event at `version` if anything changed, and
  // add the event to `events`.
  // `committed`, when given, is the row's current text (saves reading it back from SQLite).
  rules::WritePlan apply(const ObjectKey& key, const Decide& decide, const DecideText* decideText,
                         std::uint64_t version, std::vector<FeedEvent>& events,
                         const std::shared_ptr<const std::string>& committed) {
    std::optional<std::string> read;
    if (!committed) read = readDocument(*writer, key);
    const std::string* text = committed ? committed.get() : (read ? &*read : nullptr);
    std::optional<TextPlan> quick;
    if (text && decideText != nullptr) quick = (*decideText)(*text, version);
    rules::WritePlan plan;
    std::shared_ptr<const std::string> document;
    if (quick) {
      plan = std::move(quick->plan);
      if (!plan.changed) return plan;
      document = std::make_shared<const std::string>(std::move(quick->text));
    } else {
      Document stored = text ? rules::parse(*text) : Document{};
      plan = decide(text ? &stored : nullptr, version);
      if (!plan.changed) return plan;
      document = std::make_shared<const std::string>(rules::serialize(plan.object));
    }

    const auto rv = static_cast<std::int64_t>(version);
    EventType type;
    if (plan.deleteNow) {
      type = EventType::Deleted;
      writer->run(Sql::DeleteObject).text(1, key.kind).text(2, key.ns).text(3, key.name).execute();
    } else {
      type = text ? EventType::Modified : EventType::Added;
      const auto meta = plan.object->getObject("metadata");
      const auto uid = meta->getValue<std::string>("uid");
      writer->run(Sql::ReplaceObject)
          .text(1, key.kind)
          .text(2, key.ns)
          .text(3, key.name)
          .text(4, uid)
          .integer(5, rv)
          .integer(6, meta->getValue<Poco::Int64>("generation"))
          .integer(7, rules::isBeingDeleted(plan.object) ? 1 : 0)
          .text(8, *document)
          .execute();
    }
    writer->run(Sql::InsertEvent)
        .integer(1, rv)
        .text(2, toString(type))
        .text(3, key.kind)
        .text(4, key.ns)
        .text(5, key.name)
        .text(6, *document)
        .execute();
    events.push_back({version, type, std::move(document)});
    return plan;
  }

  std::unique_ptr<Session> takeScanSession() {
    {
      std::lock_guard guard(scanPoolMutex);
      if (!idleScanSessions.empty()) {
        auto session = std::move(idleScanSessions.back());
        idleScanSessions.pop_back();
        return session;
      }
    }
    return openSession(options.path, options.busyTimeout);
  }

  void returnScanSession(std::unique_ptr<Session> session) {
    // A connection still inside a transaction (its rollback failed) would serve a stale snapshot.
    if (!session || !sqlite3_get_autocommit(Poco::Data::SQLite::Utility::dbHandle(*session))) {
      return;
    }
    std::lock_guard guard(scanPoolMutex);
    if (idleScanSessions.size() < kIdleScanSessions) idleScanSessions.push_back(std::move(session));
  }

  // Steps through the rows of `kind` (in `ns`, or every namespace) in namespace/name order in one
  // read transaction, calling `row(document, labels)` with each row's JSON text and, when
  // `withLabels`, the JSON text of its metadata.labels (empty when absent; SQLite extracts it, so
  // a caller filtering by label parses only the documents it keeps). Returns the snapshot's
  // version. Exceptions from `row` propagate unchanged.
  template <class Row>
  std::uint64_t scanRows(const std::string& kind, const std::optional<std::string>& ns,
                         bool withLabels, Row&& row) {
    struct Lease {
      Impl& impl;
      std::unique_ptr<Session> session;
      ~Lease() { impl.returnScanSession(std::move(session)); }
    } lease{*this, guarded(options.path, [&] { return takeScanSession(); })};
    Session& reader = *lease.session;
    sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(reader);

    std::optional<Transaction> snapshot;  // declared after the lease: rolled back before return
    std::uint64_t version = 0;
    guarded(options.path, [&] {
      snapshot.emplace(reader, "BEGIN");
      Poco::Int64 last = 0;
      reader << "SELECT last_rv FROM store_state", into(last), now;  // starts the snapshot
      version = static_cast<std::uint64_t>(last);
    });
    std::string sql = withLabels ? "SELECT document, json_extract(document, '$.metadata.labels')"
                                 : "SELECT document";
    sql += " FROM objects WHERE kind = ?1";
    if (ns) sql += " AND namespace = ?2";
    sql += " ORDER BY namespace, name";
    const auto statement = prepareStatement(db, options.path, sql);
    bindText(statement.get(), 1, kind);
    if (ns) bindText(statement.get(), 2, *ns);
    while (true) {
      const int step = sqlite3_step(statement.get());
      if (step == SQLITE_DONE) break;
      if (step != SQLITE_ROW) {
        throw StoreError("store " + options.path + ": " + sqlite3_errmsg(db));
      }
      row(columnText(statement.get(), 0),
          withLabels ? columnText(statement.get(), 1) : std::string_view());
    }
    return version;
  }

  // Compacts in steps of a tenth of the retention so the delete is not paid on every write.
  std::uint64_t compactionPoint(std::uint64_t version) const {
    const std::uint64_t keep = options.eventRetention;
    const std::uint64_t slack = std::max<std::uint64_t>(keep / 10, 1);
    if (version < keep + slack || version - keep < compactedVersion + slack) return 0;
    return version - keep;
  }

  // Up to kEventBatch committed events after `after`, oldest first: from the tail when it reaches
  // back to `after` + 1, else from the events table. Fewer than expected, or a first one that is
  // not `after` + 1, means the feed was compacted past `after`.
  std::vector<FeedEvent> eventsAfter(std::uint64_t after) {
    if (auto recent = tail->after(after, kEventBatch)) return std::move(*recent);
    std::vector<FeedEvent> events;
    std::lock_guard guard(readMutex);
    auto run = reader->run(Sql::SelectEvents);
    run.integer(1, static_cast<std::int64_t>(after))
        .integer(2, static_cast<std::int64_t>(kEventBatch));
    while (run.step()) {
      events.push_back({static_cast<std::uint64_t>(run.columnInteger(0)),
                        eventType(run.columnText(1)),
                        std::make_shared<const std::string>(run.columnText(2))});
    }
    return events;
  }
};

namespace {

class SqliteSubscription final : public Subscription {
 public:
  // `parse`: whether events carry the parsed object (watch) or only its text (watchTexts).
  SqliteSubscription(SqliteStore::Impl& store, std::uint64_t from, WatchCallback callback,
                     bool parse)
      : store_(store),
        cursor_(from),
        callback_(std::move(callback)),
        parse_(parse),
        thread_([this] { run(); }) {}

  ~SqliteSubscription() override {
    store_.tail->interrupt(stop_);
    thread_.join();
  }

 private:
  void run() {
    try {
      while (store_.tail->waitBeyond(cursor_, stop_)) {
        const auto events = store_.eventsAfter(cursor_);
        if (events.empty() || events.front().version != cursor_ + 1) {
          deliver({EventType::Error, cursor_,
                   failureStatus(410, "Expired",
                                 "the change feed was compacted past resourceVersion " +
                                     std::to_string(cursor_) +
                                     " before it was delivered; list again and watch from there"),
                   nullptr});
          return;
        }
        for (const auto& event : events) {
          if (stop_) return;
          deliver({event.type, event.version, parse_ ? rules::parse(*event.document) : nullptr,
                   event.document});
          cursor_ = event.version;
        }
      }
    } catch (const std::exception& e) {
      spdlog::error("store watch stopped after resourceVersion {}: {}", cursor_, e.what());
      deliver({EventType::Error, cursor_,
               failureStatus(500, "InternalError", std::string("watch failed: ") + e.what()),
               nullptr});
    }
  }

  void deliver(const WatchEvent& event) {
    try {
      callback_(event);
    } catch (const std::exception& e) {
      spdlog::error("store watch callback threw at resourceVersion {}: {}", event.resourceVersion,
                    e.what());
    }
  }

  SqliteStore::Impl& store_;
  std::uint64_t cursor_;  // the last delivered version
  WatchCallback callback_;
  const bool parse_;
  std::atomic<bool> stop_{false};
  std::thread thread_;  // last: starts once everything above is initialized
};

}  // namespace

SqliteStore::SqliteStore(Options options)
    : impl_(guarded(options.path, [&] { return std::make_unique<Impl>(options); })) {}

SqliteStore::~SqliteStore() = default;

Document SqliteStore::create(const Document& object) {
  const ObjectKey key = rules::validate(object);
  return guarded(impl_->options.path, [&] {
    return impl_
        ->write(key,
                [&](Document* stored, std::uint64_t version) {
                  if (stored) throw AlreadyExists(key);
                  return rules::WritePlan{rules::prepareCreate(object, version), true, false};
                })
        .first.object;
  });
}

Document SqliteStore::get(const ObjectKey& key) {
  return rules::parse(*getText(key));
}

std::shared_ptr<const std::string> SqliteStore::getText(const ObjectKey& key) {
  if (auto recent = impl_->recent.find(key)) return recent;
  auto text = guarded(impl_->options.path, [&] {
    std::lock_guard guard(impl_->readMutex);
    return readDocument(*impl_->reader, key);
  });
  if (!text) throw NotFound(key);
  return std::make_shared<const std::string>(std::move(*text));
}

ListResult SqliteStore::list(const std::string& kind, const std::optional<std::string>& ns,
                             const LabelPredicate& selector) {
  ListResult result;
  result.resourceVersion = impl_->scanRows(
      kind, ns, static_cast<bool>(selector), [&](std::string_view text, std::string_view labels) {
        // Only the labels are parsed to decide; the document only when it is kept.
        if (selector && !selector(labelsFromJson(labels))) return;
        result.items.push_back(rules::parse(std::string(text)));
      });
  return result;
}

std::uint64_t SqliteStore::scan(const std::string& kind, const std::optional<std::string>& ns,
                                const std::function<void(const Document&)>& visit) {
  if (!visit) throw Invalid("scan: expected a visitor, got an empty function");
  return impl_->scanRows(kind, ns, false, [&](std::string_view text, std::string_view) {
    visit(rules::parse(std::string(text)));  // the document dies before the next row is read
  });
}

std::uint64_t SqliteStore::scanTexts(const std::string& kind, const std::optional<std::string>& ns,
                                     const std::function<void(std::string_view text)>& visit) {
  if (!visit) throw Invalid("scan: expected a visitor, got an empty function");
  return impl_->scanRows(kind, ns, false,
                         [&](std::string_view text, std::string_view) { visit(text); });
}

Document SqliteStore::update(const Document& object) {
  const ObjectKey key = rules::validate(object);
  return guarded(impl_->options.path, [&] {
    return impl_
        ->write(key,
                [&](Document* stored, std::uint64_t version) {
                  if (!stored) throw NotFound(key);
                  return rules::planUpdate(std::move(*stored), object, version);
                })
        .first.object;
  });
}

Document SqliteStore::updateStatus(const Document& object) {
  const ObjectKey key = rules::validate(object);
  return guarded(impl_->options.path, [&] {
    return impl_
        ->write(key,
                [&](Document* stored, std::uint64_t version) {
                  if (!stored) throw NotFound(key);
                  return rules::planStatusUpdate(std::move(*stored), object, version);
                })
        .first.object;
  });
}

Document SqliteStore::updateStatusTaking(Document object) {
  const ObjectKey key = rules::validate(object);
  // Printed here, on the caller's thread: the writer thread serves every writer in turn.
  const std::string mine = rules::serialize(object);
  const Impl::Decide decide = [&](Document* stored, std::uint64_t version) {
    if (!stored) throw NotFound(key);
    return rules::planStatusUpdate(std::move(*stored), object, version);
  };
  const Impl::DecideText byText = [&](std::string_view stored,
                                      std::uint64_t version) -> std::optional<Impl::TextPlan> {
    auto decided = rules::statusUpdateByText(stored, mine, version);
    if (!decided) return std::nullopt;
    return Impl::TextPlan{{object, decided->changed, false}, std::move(decided->text)};
  };
  return guarded(impl_->options.path, [&] {
    auto [plan, version] = impl_->write(key, decide, &byText);
    // Decided on the texts: the stored object is `object` at its new version.
    if (plan.changed && plan.object == object) {
      object->getObject("metadata")->set("resourceVersion", std::to_string(version));
    }
    return plan.object;
  });
}

RemoveResult SqliteStore::remove(const ObjectKey& key) {
  return guarded(impl_->options.path, [&] {
    const auto plan = impl_
                          ->write(key,
                                  [&](Document* stored, std::uint64_t version) {
                                    if (!stored) throw NotFound(key);
                                    return rules::planRemove(std::move(*stored), version);
                                  })
                          .first;
    return RemoveResult{plan.deleteNow, plan.object};
  });
}

std::unique_ptr<Subscription> SqliteStore::watch(std::uint64_t fromResourceVersion,
                                                 WatchCallback callback) {
  return subscribe(fromResourceVersion, std::move(callback), true);
}

std::unique_ptr<Subscription> SqliteStore::watchTexts(std::uint64_t fromResourceVersion,
                                                      WatchCallback callback) {
  return subscribe(fromResourceVersion, std::move(callback), false);
}

std::unique_ptr<Subscription> SqliteStore::subscribe(std::uint64_t fromResourceVersion,
                                                     WatchCallback callback, bool parse) {
  if (!callback) throw Invalid("watch: expected a callback, got an empty function");
  const std::uint64_t oldest = impl_->compactedVersion;
  if (fromResourceVersion < oldest) throw Expired(fromResourceVersion, oldest);
  return std::make_unique<SqliteSubscription>(*impl_, fromResourceVersion, std::move(callback),
                                              parse);
}

SqliteStore::WriteStats SqliteStore::writeStats() const {
  return {impl_->commits.load(std::memory_order_relaxed),
          impl_->committedWrites.load(std::memory_order_relaxed)};
}

int SqliteStore::schemaVersion() const {
  return guarded(impl_->options.path, [&] {
    std::lock_guard guard(impl_->readMutex);
    return sqlite::schemaVersion(impl_->reader->session());
  });
}

}  // namespace maasprov::store
