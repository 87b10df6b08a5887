// Crash safety: a writer process is SIGKILLed mid-stream; every write it acknowledged must be
// there when the file is opened again, and the store must go on from there. The last round writes
// from several threads, so acknowledged writes that shared a commit are checked too.
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <sstream>

#include "tests/store/store_test_support.hpp"

namespace maasprov::store {
namespace {

struct Acknowledged {
  std::map<std::string, std::uint64_t> created;  // name -> version of the create
  std::map<std::string, std::uint64_t> status;   // name -> version of the status write
  std::uint64_t highest = 0;
};

// Runs the writer until it has acknowledged `writes` writes, then kills it with SIGKILL.
// With `threads` > 1 the writer writes from that many threads, so its writes share commits.
Acknowledged runAndKill(const std::string& path, const std::string& prefix, int writes,
                        int threads) {
  Poco::Pipe out;
  Poco::ProcessHandle child = Poco::Process::launch(
      STORE_CRASH_WRITER, {path, prefix, std::to_string(threads)}, nullptr, &out, nullptr);
  Poco::PipeInputStream lines(out);
  Acknowledged acked;
  std::string line;
  for (int seen = 0; seen < writes && std::getline(lines, line); ++seen) {
    std::istringstream fields(line);
    std::string what, name, version;
    fields >> what >> name >> version;
    const auto rv = parseResourceVersion(version);
    (what == "created" ? acked.created : acked.status)[name] = rv;
    acked.highest = std::max(acked.highest, rv);
  }
  ::kill(child.id(), SIGKILL);  // no destructor, no flush, no clean close
  child.wait();
  return acked;
}

TEST(SqliteStoreCrash, AcknowledgedWritesSurviveKill9) {
  testing::TempDir dir;
  const std::string path = dir.file("store.db");
  // Several rounds, killed at different points, each on top of the previous crash's file.
  std::uint64_t highest = 0;
  std::size_t total = 0;
  struct Round {
    const char* prefix;
    int writes;
    int threads;
  };
  for (const auto& [prefix, writes, threads] :
       {Round{"a", 150, 1}, Round{"b", 61, 1}, Round{"c", 240, 1}, Round{"d", 301, 8}}) {
    const auto acked = runAndKill(path, prefix, writes, threads);
    ASSERT_GT(acked.created.size(), 0u) << "the writer acknowledged nothing";
    ASSERT_GT(acked.highest, highest);
    highest = acked.highest;

    SqliteStore store({.path = path});  // the dead writer's lock is gone with it
    for (const auto& [name, version] : acked.created) {
      const auto object = store.get({"MaasMachine", "crash", name});
      EXPECT_GE(rules::resourceVersionOf(object), version) << name;
    }
    for (const auto& [name, version] : acked.status) {
      const auto object = store.get({"MaasMachine", "crash", name});
      ASSERT_TRUE(object->has("status")) << name << " lost its acknowledged status write";
      EXPECT_EQ(rules::resourceVersionOf(object), version) << name;
    }
    total += acked.created.size();
    const auto all = store.list("MaasMachine", "crash");
    EXPECT_GE(all.items.size(), total);
    EXPECT_GE(all.resourceVersion, highest);
    // Versions keep increasing after the crash.
    const auto next = store.create(testing::machine("crash", std::string("after-") + prefix));
    EXPECT_GT(rules::resourceVersionOf(next), all.resourceVersion);
    ++total;
  }
}

}  // namespace
}  // namespace maasprov::store
