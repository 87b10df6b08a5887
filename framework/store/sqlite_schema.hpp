// The on-disk schema of the SQLite store and its migrations (see docs/store.md for the tables).
//
// Ownership: operates on a session owned by the caller. Thread-safety: the caller must hold the
// session exclusively while migrate() runs.
#pragma once

#include <Poco/Data/Session.h>

#include <string>

namespace maasprov::store::sqlite {

// The version this build writes. Older files are migrated forward; newer ones are refused.
inline constexpr int kSchemaVersion = 1;

// Brings the database to kSchemaVersion in one transaction. Throws StoreError if the file was
// written by a newer maasprov (naming both versions and `path`).
void migrate(Poco::Data::Session& session, const std::string& path);

// The schema version recorded in the file.
int schemaVersion(Poco::Data::Session& session);

}  // namespace maasprov::store::sqlite
