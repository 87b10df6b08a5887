// The file itself: WAL mode on disk, schema versioning, and refusing files from the future.
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <fstream>

#include "framework/store/sqlite_schema.hpp"
#include "tests/store/store_test_support.hpp"

namespace maasprov::store {
namespace {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

TEST(SqliteStoreFormat, FileIsInWalMode) {
  testing::TempDir dir;
  const std::string path = dir.file("store.db");
  {
    SqliteStore store({.path = path});
    store.create(testing::machine("default", "m1"));
  }
  // Bytes 18 and 19 of the SQLite header are the read/write format versions: 2 means WAL.
  std::ifstream file(path, std::ios::binary);
  char header[20] = {};
  file.read(header, sizeof header);
  ASSERT_TRUE(file) << "cannot read " << path;
  EXPECT_EQ(header[18], 2);
  EXPECT_EQ(header[19], 2);
}

TEST(SqliteStoreFormat, RecordsSchemaVersionAndRefusesNewerFiles) {
  testing::TempDir dir;
  const std::string path = dir.file("store.db");
  {
    SqliteStore store({.path = path});
    EXPECT_EQ(store.schemaVersion(), sqlite::kSchemaVersion);
  }
  {
    // What a future maasprov would leave behind.
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session session("SQLite", path);
    session << "UPDATE schema_version SET version = 99", now;
  }
  try {
    SqliteStore store({.path = path});
    FAIL() << "opened a file with schema version 99";
  } catch (const StoreError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("schema version 99"), std::string::npos) << message;
    EXPECT_NE(message.find(path), std::string::npos) << message;
  }
}

TEST(SqliteStoreFormat, BadOptionsAreRefusedNamingTheSetting) {
  testing::TempDir dir;
  auto expectRefused = [](const SqliteStore::Options& options, const std::string& expected) {
    try {
      SqliteStore store(options);
      ADD_FAILURE() << "accepted options that should fail with: " << expected;
    } catch (const StoreError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  expectRefused({.path = ""}, "store path: expected a file name");
  expectRefused({.path = dir.file("a.db"), .eventRetention = 0},
                "eventRetention: expected at least 1");
  expectRefused({.path = dir.file("b.db"), .busyTimeout = std::chrono::milliseconds(-1)},
                "busyTimeout: expected a duration of 0 ms or more");
}

}  // namespace
}  // namespace maasprov::store
