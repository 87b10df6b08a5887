// maas-sim against hostile inventory files: malformed YAML (including text yaml-cpp's loader
// drops or loops on), cycles and alias bombs, duplicates, huge numbers, wrong types, missing
// fields, binary and special files. Each must end the real process quickly with exit 65
// (EX_DATAERR) and one line naming the file, where in it, and what was expected.
#include <Poco/Process.h>
#include <Poco/TemporaryFile.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sim_process.hpp"

namespace maassim::testing {
namespace {

// A temporary directory removed with its contents.
class Dir {
 public:
  Dir() : path_(Poco::TemporaryFile::tempName()) { std::filesystem::create_directories(path_); }
  ~Dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct Outcome {
  int exit_code = -1;  // -1: still running at the deadline (then killed)
  std::string stderr_text;
};

// Runs maas-sim on `inventory` with stderr to a file; kills it if it runs past `limit`.
Outcome RunSim(const Dir& dir, const std::string& inventory,
               std::chrono::seconds limit = std::chrono::seconds(15)) {
  const std::string err = dir / "stderr";
  const std::string cmd = "exec '" + SimProcess::Binary("") + "' --inventory '" + inventory +
                          "' --listen 127.0.0.1:0 --port-file '" + (dir / "port") + "' 2>'" + err +
                          "'";
  Poco::ProcessHandle handle = Poco::Process::launch("/bin/sh", {"-c", cmd});
  Outcome out;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(handle.id(), &status, WNOHANG);
    if (r == handle.id()) {
      out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(handle.id(), SIGKILL);
      ::waitpid(handle.id(), &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::ifstream in(err);
  std::stringstream text;
  text << in.rdbuf();
  out.stderr_text = text.str();
  return out;
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Expects the simulator to refuse `inventory` with exit 65 and one line holding `words`.
void ExpectRefused(const Dir& dir, const std::string& inventory,
                   const std::vector<std::string>& words) {
  Outcome o = RunSim(dir, inventory);
  EXPECT_EQ(o.exit_code, 65) << (o.exit_code == -1 ? "hung: killed after 15 s; " : "")
                             << o.stderr_text;
  EXPECT_EQ(std::count(o.stderr_text.begin(), o.stderr_text.end(), '\n'), 1) << o.stderr_text;
  EXPECT_NE(o.stderr_text.find("maas-sim: bad inventory: " + inventory + ": "), std::string::npos)
      << o.stderr_text;
  for (const auto& w : words) {
    EXPECT_NE(o.stderr_text.find(w), std::string::npos) << "'" << w << "' in: " << o.stderr_text;
  }
}

constexpr const char* kMachine = "{hostname: m, cores: 1, memory: 1024}";

TEST(SimHostileInventory, MalformedYamlIsRefusedNeverHangs) {
  Dir dir;
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "[";
  for (int i = 0; i < 5000; ++i) deep += "]";
  // 10 aliases of 10 aliases ... 8 levels: 10^9 values once expanded.
  std::string bomb = "zones: [{name: z}]\nfaults:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 8; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    bomb += "  a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) bomb += (k ? ", " : "") + prev;
    bomb += "]\n";
  }
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      // yaml-cpp's LoadFile returns [a] and drops the rest; its LoadAll loops forever here.
      {"[a],b]", {"line 1, column 4", "unexpected text after the inventory"}},
      {"machines: [a],b]", {"line 1, column 14", "expected valid YAML or JSON"}},
      {"machines:\n  - {hostname: m, cores: [1}\n", {"line 2", "expected valid YAML or JSON"}},
      {"user: a\n---\nuser: b\n", {"line 2", "a second YAML document; expected one inventory"}},
      {"user: a\nuser: b\n", {"line 2, column 1", "duplicate key 'user'"}},
      {"machines: &m [{hostname: m, cores: 1, memory: 1, tags: *m}]\n",
       {"an alias inside the node it refers to (a cycle)"}},
      {"machines: [*nothing]\n", {"expected valid YAML or JSON"}},
      {bomb, {"more than 1000000 values (aliases expanded)"}},
      {deep, {"nested too deeply"}},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].first.substr(0, 60));
    const std::string path = dir / ("bad-" + std::to_string(i) + ".yaml");
    Write(path, cases[i].first);
    ExpectRefused(dir, path, cases[i].second);
  }
}

TEST(SimHostileInventory, BadFieldsNameTheFieldAndWhatWasExpected) {
  Dir dir;
  const std::string m = kMachine;
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"machines:\n  - {hostname: m, cores: 99999999999999999999, memory: 1}\n",
       {"machines[0].cores: expected an integer from 1 to 2147483647, "
        "got '99999999999999999999'"}},
      // Fits an int64 but not the int the simulator keeps.
      {"machines:\n  - {hostname: m, cores: 3000000000, memory: 1}\n",
       {"machines[0].cores: expected an integer from 1 to 2147483647"}},
      {"machines:\n  - {hostname: m, cores: 1, memory: -1}\n",
       {"machines[0].memory: expected an integer from 1 to 2147483647, got '-1'"}},
      {"machines:\n  - {hostname: m, cores: 1, memory: 1, storage_gb: 1e300}\n",
       {"machines[0].storage_gb: expected a number from 1 to 1e+09, got '1e300'"}},
      {"machines:\n  - {hostname: m, cores: 1, memory: 1, storage_gb: .nan}\n",
       {"machines[0].storage_gb: expected a number"}},
      {"machines: hello\n", {"machines: expected a list, got 'hello'"}},
      {"machines:\n  - {hostname: {a: 1}, cores: 1, memory: 1}\n",
       {"machines[0].hostname: expected a string, got a mapping"}},
      {"machines:\n  - {hostname: m, cores: [1, 2], memory: 1}\n",
       {"machines[0].cores: expected an integer", "got a list"}},
      {"machines:\n  - {cores: 1, memory: 1}\n",
       {"machines[0].hostname: expected a string (required)"}},
      {"machines:\n  - {hostname: m, cores: 1}\n",
       {"machines[0].memory: expected an integer (required)"}},
      {"machines:\n  - " + m + "\n  - " + m + "\n",
       {"machines[1].hostname: expected a hostname not used by another machine"}},
      {"machines:\n  - {hostname: a, system_id: abc123, cores: 1, memory: 1}\n"
       "  - {hostname: b, system_id: abc123, cores: 1, memory: 1}\n",
       {"machines[1].system_id: expected a system_id not used by another machine, got 'abc123'"}},
      // A terminal escape in a value is shown escaped, not sent to the terminal.
      {"machines:\n  - {hostname: m, cores: \"1\\x1b[2J\", memory: 1}\n",
       {"machines[0].cores: expected an integer", "got '1\\x1B[2J'"}},
      {"vm_hosts:\n  - {name: h, cores: 1, memory: 1, storage_pools: [{name: p, size_gb: 1}]}\n"
       "  - {name: h, cores: 1, memory: 1, storage_pools: [{name: p, size_gb: 1}]}\n",
       {"vm_hosts[1].name: expected a VM host name not already used"}},
      {"", {"(top level): expected a mapping"}},
      {"- just\n- a list\n", {"(top level): expected a mapping", "got a list"}},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].first.substr(0, 60));
    const std::string path = dir / ("bad-" + std::to_string(i) + ".yaml");
    Write(path, cases[i].first);
    ExpectRefused(dir, path, cases[i].second);
  }
}

TEST(SimHostileInventory, BinaryHugeAndSpecialFilesAreRefused) {
  Dir dir;
  Write(dir / "binary.yaml", std::string("\x7f"
                                         "ELF\x02\x01\x01\0\0\0machines: []\n",
                                         23));
  ExpectRefused(dir, dir / "binary.yaml", {"line 1: byte 0x7F is a control character"});
  Write(dir / "utf16.yaml", std::string("\xff\xfeu\0s\0e\0r\0", 10));
  ExpectRefused(dir, dir / "utf16.yaml", {"line 1: byte 0xFF is not UTF-8"});
  Write(dir / "latin1.yaml", "user: admin\nzones: [{name: caf\xe9}]\n");
  ExpectRefused(dir, dir / "latin1.yaml", {"line 2: byte 0xE9 is not UTF-8"});
  Write(dir / "nul.yaml", std::string("user: ad\0min\n", 13));
  ExpectRefused(dir, dir / "nul.yaml", {"byte 0x00 is a control character"});

  std::string huge = "machines:\n";
  const std::string line = std::string("  # ") + std::string(1020, 'x') + "\n";
  while (huge.size() <= (17u << 20)) huge += line;
  Write(dir / "huge.yaml", huge);
  ExpectRefused(dir, dir / "huge.yaml", {"bytes; expected an inventory of at most 16777216"});

  std::filesystem::create_directories(dir / "directory.yaml");
  ExpectRefused(dir, dir / "directory.yaml", {"expected an inventory file, got a directory"});
  ExpectRefused(dir, dir / "missing.yaml", {"does not exist"});
  ASSERT_EQ(::mkfifo((dir / "fifo.yaml").c_str(), 0600), 0);
  ExpectRefused(dir, dir / "fifo.yaml", {"expected an inventory file, got a special file"});
}

TEST(SimHostileInventory, AValidInventoryWithAnchorsStillLoads) {
  Dir dir;
  // Anchors and aliases of finished nodes, a redefined anchor, UTF-8 text, a trailing empty
  // document: all valid, and the simulator starts.
  Write(dir / "ok.yaml",
        "user: admin\nzones: [{name: zone-\xc3\xa9t\xc3\xa9}]\nmachines:\n"
        "  - &a {hostname: a, cores: 2, memory: 1024, tags: &t [gpu]}\n"
        "  - {hostname: b, cores: 2, memory: 1024, tags: *t}\n"
        "  - &a {hostname: c, cores: 4, memory: 2048}\n---\n");
  SimProcess::Options options;
  options.inventory_path = dir / "ok.yaml";
  SimProcess sim(options);
  EXPECT_GT(sim.port(), 0);
}

}  // namespace
}  // namespace maassim::testing
