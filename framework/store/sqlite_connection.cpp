#include "framework/store/sqlite_connection.hpp"

#include <Poco/Data/SQLite/Connector.h>

#include <iterator>
#include <mutex>

namespace maasprov::store::sqlite {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace {

constexpr const char* kSql[] = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT batched_write",
    "RELEASE batched_write",
    "ROLLBACK TO batched_write",
    "SELECT document FROM objects WHERE kind = ?1 AND namespace = ?2 AND name = ?3",
    "INSERT OR REPLACE INTO objects (kind, namespace, name, uid, resource_version, generation,"
    " deleting, document) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    "DELETE FROM objects WHERE kind = ?1 AND namespace = ?2 AND name = ?3",
    "INSERT INTO events (resource_version, type, kind, namespace, name, document)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    "UPDATE store_state SET last_rv = ?1",
    "DELETE FROM events WHERE resource_version <= ?1",
    "UPDATE store_state SET compacted_rv = ?1",
    "SELECT resource_version, type, document FROM events WHERE resource_version > ?1"
    " ORDER BY resource_version LIMIT ?2",
};
static_assert(std::size(kSql) == static_cast<std::size_t>(Sql::Count));

}  // namespace

std::unique_ptr<Session> openSession(const std::string& path, std::chrono::milliseconds busy) {
  static std::once_flag registered;
  std::call_once(registered, [] { Poco::Data::SQLite::Connector::registerConnector(); });
  auto session = std::make_unique<Session>("SQLite", path);
  *session << "PRAGMA busy_timeout = " + std::to_string(busy.count()), now;
  // FULL: the WAL is fsynced at every commit, so an acknowledged write survives power loss.
  *session << "PRAGMA synchronous = FULL", now;
  int synchronous = 0;
  *session << "PRAGMA synchronous", into(synchronous), now;
  if (synchronous != 2) {  // never run with weaker durability than documented
    throw StoreError("store " + path + ": SQLite refused synchronous=FULL (got level " +
                     std::to_string(synchronous) + ")");
  }
  return session;
}

StatementPtr prepareStatement(sqlite3* db, const std::string& path, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) !=
      SQLITE_OK) {
    throw StoreError("store " + path + ": " + sqlite3_errmsg(db));
  }
  return StatementPtr(raw);
}

void bindText(sqlite3_stmt* statement, int index, const std::string& text) {
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string_view columnText(sqlite3_stmt* statement, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  if (!text) return {};
  return {text, static_cast<std::size_t>(sqlite3_column_bytes(statement, column))};
}

sqlite3_stmt* Connection::statement(Sql sql) {
  auto& slot = statements_[static_cast<std::size_t>(sql)];
  if (!slot) slot = prepareStatement(db_, path_, kSql[static_cast<std::size_t>(sql)]);
  return slot.get();
}

}  // namespace maasprov::store::sqlite
