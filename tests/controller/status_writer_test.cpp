// Conflict-safe status writes (status_writer.hpp) and plugin checkpoints (StoreGate) against a
// real SQLite store: a write handed the object its caller already holds does not read it again,
// and one handed a stale object still lands on the current one without losing the other writer's
// change.
#include "framework/controller/status_writer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "framework/controller/reconcile_context.hpp"
#include "tests/store/store_test_support.hpp"

namespace maasprov::controller {
namespace {

using store::testing::TempDir;

// Forwards to a real store and counts the reads the writer makes.
class CountingStore : public store::Store {
 public:
  explicit CountingStore(store::Store& inner) : inner_(inner) {}
  int gets() const { return gets_; }
  int statusWrites() const { return statusWrites_; }

  store::Document create(const store::Document& o) override { return inner_.create(o); }
  store::Document get(const store::ObjectKey& key) override {
    ++gets_;
    return inner_.get(key);
  }
  store::ListResult list(const std::string& kind, const std::optional<std::string>& ns,
                         const store::LabelPredicate& selector) override {
    return inner_.list(kind, ns, selector);
  }
  std::uint64_t scan(const std::string& kind, const std::optional<std::string>& ns,
                     const std::function<void(const store::Document&)>& visit) override {
    return inner_.scan(kind, ns, visit);
  }
  store::Document update(const store::Document& o) override { return inner_.update(o); }
  store::Document updateStatus(const store::Document& o) override {
    ++statusWrites_;
    return inner_.updateStatus(o);
  }
  store::RemoveResult remove(const store::ObjectKey& key) override { return inner_.remove(key); }
  std::unique_ptr<store::Subscription> watch(std::uint64_t from,
                                             store::WatchCallback callback) override {
    return inner_.watch(from, std::move(callback));
  }

 private:
  store::Store& inner_;
  std::atomic<int> gets_{0};
  std::atomic<int> statusWrites_{0};
};

class StatusWriterTest : public ::testing::Test {
 protected:
  TempDir dir_;
  store::SqliteStore sqlite_{store::SqliteStore::Options{dir_.file("state.db")}};
  CountingStore store_{sqlite_};
  store::ObjectKey key_{"MaasMachine", "default", "m0"};

  void SetUp() override { sqlite_.create(store::testing::machine("default", "m0")); }

  static std::function<bool(Json)> setStatus(const std::string& field, const std::string& value) {
    return [field, value](Json obj) {
      ensureStatus(obj)->set(field, value);
      return true;
    };
  }
  std::string statusOf(const std::string& field) {
    return stringAt(sqlite_.get(key_), {"status", field}).value_or("");
  }
};

TEST_F(StatusWriterTest, AWriteHandedTheCurrentObjectDoesNotReadItAgain) {
  Json current = sqlite_.get(key_);
  Json written =
      writeWithRetry(store_, key_, WritePart::Status, setStatus("phase", "one"), 10, current);
  ASSERT_TRUE(written);
  EXPECT_EQ(store_.gets(), 0);
  EXPECT_EQ(statusOf("phase"), "one");
  // What it returns is current in turn.
  writeWithRetry(store_, key_, WritePart::Status, setStatus("phase", "two"), 10, written);
  EXPECT_EQ(store_.gets(), 0);
  EXPECT_EQ(statusOf("phase"), "two");
}

TEST_F(StatusWriterTest, AStaleObjectStillLandsAndKeepsTheOtherWritersChange) {
  Json stale = sqlite_.get(key_);
  Json other = sqlite_.get(key_);
  ensureStatus(other)->set("theirs", "kept");
  sqlite_.updateStatus(other);  // someone wrote after our read

  Json written =
      writeWithRetry(store_, key_, WritePart::Status, setStatus("ours", "written"), 10, stale);
  ASSERT_TRUE(written);
  EXPECT_EQ(store_.gets(), 1) << "the conflict is resolved by reading the object once";
  EXPECT_EQ(statusOf("ours"), "written");
  EXPECT_EQ(statusOf("theirs"), "kept");
}

TEST_F(StatusWriterTest, CheckpointsHandTheirResultToTheNextWrite) {
  StoreGate gate(store_);
  LatestObject latest(sqlite_.get(key_));
  for (const char* step : {"before-compose", "composed", "allocated"}) {
    Json patch = store::rules::parse(std::string(R"({"step": ")") + step + R"("})");
    gate.checkpoint(key_, patch, &latest);
  }
  EXPECT_EQ(store_.gets(), 0) << "each checkpoint starts from the one before";
  EXPECT_EQ(statusOf("step"), "allocated");

  // Another writer in between: the next checkpoint reads once and keeps both.
  Json other = sqlite_.get(key_);
  ensureStatus(other)->set("theirs", "kept");
  sqlite_.updateStatus(other);
  gate.checkpoint(key_, store::rules::parse(R"({"step": "deployed"})"), &latest);
  EXPECT_EQ(store_.gets(), 1);
  EXPECT_EQ(statusOf("step"), "deployed");
  EXPECT_EQ(statusOf("theirs"), "kept");

  Json last = latest.take();
  ASSERT_TRUE(last);
  EXPECT_EQ(stringAt(last, {"status", "step"}).value_or(""), "deployed");
  EXPECT_FALSE(latest.take()) << "taken: a write in flight owns it";
}

// Plugins record the machine they found on every reconcile: when the object already says so,
// the checkpoint costs no write at all (not even a no-op one through the group commit).
TEST_F(StatusWriterTest, ACheckpointOfWhatTheObjectAlreadySaysWritesNothing) {
  StoreGate gate(store_);
  LatestObject latest(sqlite_.get(key_));
  gate.checkpoint(key_, store::rules::parse(R"({"systemID": "abc123"})"), &latest);
  EXPECT_EQ(store_.statusWrites(), 1);
  const std::string version = stringAt(sqlite_.get(key_), {"metadata", "resourceVersion"}).value();
  for (int i = 0; i < 3; ++i) {
    gate.checkpoint(key_, store::rules::parse(R"({"systemID": "abc123"})"), &latest);
  }
  EXPECT_EQ(store_.statusWrites(), 1);
  EXPECT_EQ(store_.gets(), 0);
  EXPECT_EQ(stringAt(sqlite_.get(key_), {"metadata", "resourceVersion"}).value(), version);
  // Something new is written as before.
  gate.checkpoint(key_, store::rules::parse(R"({"systemID": "abc123", "step": "deploying"})"),
                  &latest);
  EXPECT_EQ(store_.statusWrites(), 2);
  EXPECT_EQ(statusOf("step"), "deploying");
}

TEST_F(StatusWriterTest, ACheckpointAfterCloseIsRefused) {
  StoreGate gate(store_);
  gate.close();
  EXPECT_THROW(gate.checkpoint(key_, store::rules::parse(R"({"step": "late"})")),
               std::runtime_error);
  EXPECT_EQ(statusOf("step"), "");
}

}  // namespace
}  // namespace maasprov::controller
