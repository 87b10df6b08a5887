// The SQLite store's connections: a Poco session whose hot statements are compiled once and
// reused (Sql, Connection), the transactions on it, and the raw statement helpers the scans use.
// Poco::Data has no statement cache, and compiling SQL text on every write was a tenth of the
// daemon's CPU.
//
// Ownership: a Connection owns its session and its statements (finalized before the session
// closes); Run and the transactions borrow a Connection and must not outlive it.
// Thread-safety: none; the store guards each Connection with its own mutex.
#pragma once

#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <sqlite3.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "framework/store/errors.hpp"

namespace maasprov::store::sqlite {

using Poco::Data::Session;

// Opens `path` with the store's settings (busy timeout, synchronous=FULL, checked). Throws
// StoreError.
std::unique_ptr<Session> openSession(const std::string& path, std::chrono::milliseconds busy);

// Rolls back unless committed. Read snapshots simply never commit.
class Transaction {
 public:
  Transaction(Session& session, const char* begin) : session_(session) {
    session_ << begin, Poco::Data::Keywords::now;
  }
  ~Transaction() {
    if (done_) return;
    try {
      session_ << "ROLLBACK", Poco::Data::Keywords::now;
    } catch (const Poco::Exception&) {  // SQLite already rolled back after a failed COMMIT
    }
  }
  void commit() {
    session_ << "COMMIT", Poco::Data::Keywords::now;
    done_ = true;
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

 private:
  Session& session_;
  bool done_ = false;
};

// A prepared statement stepped row by row, so a scan never holds more than one row's text.
struct Finalize {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, Finalize>;

// Throws StoreError naming `path`.
StatementPtr prepareStatement(sqlite3* db, const std::string& path, std::string_view sql);
void bindText(sqlite3_stmt* statement, int index, const std::string& text);
std::string_view columnText(sqlite3_stmt* statement, int column);

// The statements the write and watch paths run again and again. Each connection compiles one
// the first time it runs it and keeps it: compiling SQL on every execution (Poco::Data has no
// statement cache) was a twelfth of the daemon's CPU.
enum class Sql : std::size_t {
  Begin,
  Commit,
  Rollback,
  Savepoint,
  Release,
  RollbackToSavepoint,
  SelectDocument,
  ReplaceObject,
  DeleteObject,
  InsertEvent,
  SetLastVersion,
  DeleteEvents,
  SetCompactedVersion,
  SelectEvents,
  Count,
};

// A Poco session with the statements of Sql compiled on first use. Not thread-safe: its owner's
// mutex guards it. The statements are finalized before the session closes its connection.
class Connection {
 public:
  Connection(std::unique_ptr<Session> session, std::string path)
      : session_(std::move(session)),
        db_(Poco::Data::SQLite::Utility::dbHandle(*session_)),
        path_(std::move(path)) {}
  ~Connection() { statements_ = {}; }  // finalize before session_ closes the database
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Session& session() { return *session_; }
  sqlite3* db() const { return db_; }

  // One execution of a cached statement: bind, step, read columns; the statement is reset when
  // the run ends, so it never holds a read snapshot or a half-read result open.
  class Run {
   public:
    Run(Connection& connection, sqlite3_stmt* statement)
        : connection_(connection), statement_(statement) {}
    ~Run() {
      sqlite3_reset(statement_);
      sqlite3_clear_bindings(statement_);
    }
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    // The text must outlive the run (SQLite reads it in place).
    Run& text(int index, std::string_view value) {
      check(sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()),
                              SQLITE_STATIC));
      return *this;
    }
    Run& integer(int index, std::int64_t value) {
      check(sqlite3_bind_int64(statement_, index, value));
      return *this;
    }
    // True when a row is ready; false when done. Throws StoreError naming the file.
    bool step() {
      const int result = sqlite3_step(statement_);
      if (result == SQLITE_ROW) return true;
      if (result == SQLITE_DONE) return false;
      check(result);
      return false;
    }
    void execute() {
      while (step()) {
      }
    }
    std::string_view columnText(int column) const {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
      if (!text) return {};
      return {text, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))};
    }
    std::int64_t columnInteger(int column) const {
      return sqlite3_column_int64(statement_, column);
    }

   private:
    void check(int result) const {
      if (result != SQLITE_OK) connection_.fail();
    }
    Connection& connection_;
    sqlite3_stmt* statement_;
  };

  Run run(Sql sql) { return Run(*this, statement(sql)); }
  void execute(Sql sql) { run(sql).execute(); }

  [[noreturn]] void fail() const {
    throw StoreError("store " + path_ + ": " + sqlite3_errmsg(db_));
  }

 private:
  sqlite3_stmt* statement(Sql sql);  // compiled on first use

  std::unique_ptr<Session> session_;
  sqlite3* db_;
  std::string path_;
  std::array<StatementPtr, static_cast<std::size_t>(Sql::Count)> statements_;
};

// Rolls back a write transaction of `connection` unless committed.
class WriteTransaction {
 public:
  explicit WriteTransaction(Connection& connection) : connection_(connection) {
    connection_.execute(Sql::Begin);
  }
  ~WriteTransaction() {
    if (done_) return;
    try {
      connection_.execute(Sql::Rollback);
    } catch (const StoreError&) {  // SQLite already rolled back after a failed COMMIT
    }
  }
  void commit() {
    connection_.execute(Sql::Commit);
    done_ = true;
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

 private:
  Connection& connection_;
  bool done_ = false;
};

}  // namespace maasprov::store::sqlite
