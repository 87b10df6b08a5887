#include "framework/store/sqlite_schema.hpp"

#include <Poco/Data/Statement.h>

#include <vector>

#include "framework/store/errors.hpp"

namespace maasprov::store::sqlite {
namespace {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

// migrations[i] takes the schema from version i to i + 1. Append only; never edit a shipped step.
const std::vector<std::vector<std::string>> kMigrations = {
    {
        // last_rv: the store-wide resourceVersion counter. compacted_rv: events at or below it
        // have been dropped from the change feed.
        "CREATE TABLE store_state (id INTEGER PRIMARY KEY CHECK (id = 1),"
        " last_rv INTEGER NOT NULL, compacted_rv INTEGER NOT NULL)",
        "INSERT INTO store_state (id, last_rv, compacted_rv) VALUES (1, 0, 0)",
        "CREATE TABLE objects (kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,"
        " uid TEXT NOT NULL UNIQUE, resource_version INTEGER NOT NULL,"
        " generation INTEGER NOT NULL, deleting INTEGER NOT NULL, document TEXT NOT NULL,"
        " PRIMARY KEY (kind, namespace, name)) WITHOUT ROWID",
        // The change feed: one row per write, the object's state after it.
        "CREATE TABLE events (resource_version INTEGER PRIMARY KEY, type TEXT NOT NULL,"
        " kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,"
        " document TEXT NOT NULL)",
    },
};

}  // namespace

int schemaVersion(Poco::Data::Session& session) {
  std::vector<int> versions;
  session << "SELECT version FROM schema_version", into(versions), now;
  return versions.empty() ? 0 : versions.front();
}

void migrate(Poco::Data::Session& session, const std::string& path) {
  // IMMEDIATE takes the write lock up front, so two openers cannot both migrate.
  session << "BEGIN IMMEDIATE", now;
  try {
    session << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", now;
    std::vector<int> versions;
    session << "SELECT version FROM schema_version", into(versions), now;
    if (versions.empty()) session << "INSERT INTO schema_version (version) VALUES (0)", now;
    const int found = versions.empty() ? 0 : versions.front();
    if (found > kSchemaVersion) {
      throw StoreError("store " + path + " has schema version " + std::to_string(found) +
                       ", but this maasprov understands versions up to " +
                       std::to_string(kSchemaVersion) + "; run a newer maasprov");
    }
    for (int version = found; version < kSchemaVersion; ++version) {
      for (const auto& sql : kMigrations[static_cast<std::size_t>(version)]) {
        session << sql, now;
      }
    }
    session << "UPDATE schema_version SET version = " + std::to_string(kSchemaVersion), now;
    session << "COMMIT", now;
  } catch (...) {
    session << "ROLLBACK", now;
    throw;
  }
}

}  // namespace maasprov::store::sqlite
