// Scenario 5, the store: SqliteStore with its crash-safe settings (WAL, synchronous=FULL: every
// write fsyncs before it returns), on the build tree's disk (never tmpfs, where fsync is free).
//
//   BM_Create        one machine-sized object created (one fsynced transaction)
//   BM_UpdateStatus  one status write on an existing object, as the controller makes them
//   BM_List/N        list N machine-sized objects (a consistent snapshot, parsed)
//   BM_UpdateStatusWatched  status writes with one watch open, as the controller watches its own
//                    writes: the process's CPU per write (writer and watch thread), waiting
//                    until the watch has seen every write
//   concurrent       creates and status writes from 1, 8 and 64 threads at once, for a fixed
//                    time each (as the controller's workers write): writes per second in all
//
//   bench_store [--quick] [--list N] [--seconds S] [Google Benchmark flags]
//   (--quick lists 1,000, not 10,000, and writes concurrently for 0.3 s, not 3 s)
#include <Poco/JSON/Parser.h>
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "../common/gbench_report.hpp"
#include "framework/store/object_rules.hpp"
#include "framework/store/sqlite_store.hpp"

namespace maasprov::bench {
namespace {

namespace fs = std::filesystem;
using store::Document;

// A MaasMachine as the controller keeps it, about 2 KB.
Document machine(const std::string& name, bool padded = false) {
  // What a status write would add (conditions, addresses), as an annotation of the same size.
  std::string pad =
      padded ? R"(,"annotations":{"bench/status-sized":")" + std::string(900, 'x') + "\"}"
             : std::string();
  std::string text =
      R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",)"
      R"("metadata":{"name":")" +
      name +
      R"(","namespace":"default",)"
      R"("labels":{"cluster.x-k8s.io/cluster-name":"c1"})" +
      pad +
      ","
      R"()"
      R"("finalizers":["maasmachine.infrastructure.cluster.x-k8s.io"]},)"
      R"("spec":{"minCPU":4,"minMemory":4096,"image":"ubuntu/jammy","provisioningMode":"bare-metal",)"
      R"("userData":"I2Nsb3VkLWNvbmZpZwpwYWNrYWdlczogW2N1cmxdCg==","tags":["k8s","worker"]}})";
  return Poco::JSON::Parser().parse(text).extract<Document>();
}

Document status(const Document& stored, int n) {
  Document copy = Poco::JSON::Parser()
                      .parse([&] {
                        std::ostringstream s;
                        stored->stringify(s);
                        return s.str();
                      }())
                      .extract<Document>();
  Poco::JSON::Object::Ptr st = new Poco::JSON::Object;
  st->set("ready", false);
  st->set("systemID", "x7k2pq");
  st->set("machineState", n % 2 ? "Deploying" : "Allocated");
  Poco::JSON::Array::Ptr conditions = new Poco::JSON::Array;
  for (const char* type : {"Ready", "MachineDeployed", "MachineAllocated"}) {
    Poco::JSON::Object::Ptr c = new Poco::JSON::Object;
    c->set("type", type);
    c->set("status", "False");
    c->set("reason", "Deploying");
    c->set("message", "MAAS is deploying x7k2pq, attempt " + std::to_string(n));
    c->set("lastTransitionTime", "2026-11-25T08:00:00Z");
    conditions->add(c);
  }
  st->set("conditions", conditions);
  copy->set("status", st);
  return copy;
}

std::string scratch(const std::string& name) {
  fs::path dir = fs::path(outputDirectory()) / "store-scratch" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return (dir / "maasprov.db").string();
}

void BM_Create(benchmark::State& state) {
  store::SqliteStore s({.path = scratch("create")});
  int i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Document d = machine("m-" + std::to_string(i++));
    state.ResumeTiming();
    benchmark::DoNotOptimize(s.create(d));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_UpdateStatus(benchmark::State& state) {
  store::SqliteStore s({.path = scratch("status")});
  Document stored = s.create(machine("m-0"));
  int i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Document next = status(stored, i++);
    state.ResumeTiming();
    stored = s.updateStatus(next);
  }
  state.SetItemsProcessed(state.iterations());
}

double processCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void BM_UpdateStatusWatched(benchmark::State& state) {
  store::SqliteStore s({.path = scratch("watched")});
  Document stored = s.create(machine("m-0"));
  // Two statuses to alternate, built beforehand so the loop's CPU is the store's.
  const Document next[] = {status(stored, 0), status(stored, 1)};
  std::mutex mutex;
  std::condition_variable seen;
  std::uint64_t delivered = 0;
  auto subscription = s.watch(store::rules::resourceVersionOf(stored), [&](const auto& event) {
    std::lock_guard lock(mutex);
    delivered = event.resourceVersion;
    seen.notify_all();
  });
  const double cpuBefore = processCpuSeconds();
  int i = 0;
  for (auto _ : state) {
    const Document& doc = next[i++ % 2];
    doc->getObject("metadata")
        ->set("resourceVersion", stored->getObject("metadata")->get("resourceVersion"));
    stored = s.updateStatus(doc);
  }
  const auto last = store::rules::resourceVersionOf(stored);
  {
    std::unique_lock lock(mutex);
    seen.wait(lock, [&] { return delivered >= last; });
  }
  state.counters["process_cpu_us"] =
      (processCpuSeconds() - cpuBefore) * 1e6 / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
}

void BM_List(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::string path = scratch("list-" + std::to_string(n));
  {
    store::SqliteStore s({.path = path});
    for (int i = 0; i < n; ++i)
      s.updateStatus(status(s.create(machine("m-" + std::to_string(i))), i));
  }
  store::SqliteStore s({.path = path});  // reopened, as after a restart
  for (auto _ : state) {
    auto list = s.list("MaasMachine", std::nullopt);
    if (static_cast<int>(list.items.size()) != n) state.SkipWithError("wrong count");
    benchmark::DoNotOptimize(list);
  }
  state.counters["objects"] = n;
}

struct Concurrent {
  double writesPerSecond = 0;
  long writes = 0;
  std::uint64_t commits = 0;  // transactions (fsyncs) they took: group commit shares them
};

// `threads` threads write for `seconds` into a fresh store, each to objects of its own (no
// conflicts): creates of new objects, or status writes to one object per thread.
Concurrent concurrentWrites(bool statusWrites, int threads, double seconds) {
  store::SqliteStore s({.path = scratch("concurrent")});
  std::vector<Document> own;
  if (statusWrites) {
    for (int t = 0; t < threads; ++t) own.push_back(s.create(machine("m-" + std::to_string(t))));
  }
  std::atomic<long> writes{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> workers;
  using Clock = std::chrono::steady_clock;
  const auto deadline = [&] {
    while (!go) std::this_thread::yield();
    return Clock::now() +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  };
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const auto end = deadline();
      long n = 0;
      for (int i = 0; Clock::now() < end; ++i, ++n) {
        if (statusWrites) {
          own[t] = s.updateStatus(status(own[t], i));
        } else {
          s.create(machine("m-" + std::to_string(t) + "-" + std::to_string(i)));
        }
      }
      writes += n;
    });
  }
  const auto start = Clock::now();
  go = true;
  for (auto& worker : workers) worker.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return {static_cast<double>(writes) / elapsed, writes.load(),
          s.writeStats().commits - static_cast<std::uint64_t>(own.size())};
}

}  // namespace
}  // namespace maasprov::bench

int main(int argc, char** argv) {
  using namespace maasprov::bench;
  int listed = 10000;
  double seconds = 3;
  std::vector<char*> args;
  std::string minTime = "--benchmark_min_time=0.01";
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      listed = 1000;
      seconds = 0.3;
      args.push_back(minTime.data());
    } else if (std::strcmp(argv[i], "--list") == 0 && i + 1 < argc) {
      listed = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else {
      args.push_back(argv[i]);
    }
  }
  benchmark::RegisterBenchmark("BM_Create", BM_Create)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_UpdateStatus", BM_UpdateStatus)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_UpdateStatusWatched", BM_UpdateStatusWatched)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_List", BM_List)->Arg(listed)->Unit(benchmark::kMillisecond);
  int n = static_cast<int>(args.size());
  CapturingReporter reporter;
  runBenchmarks(n, args.data(), reporter);

  double create = reporter.nanos("BM_Create");
  double update = reporter.nanos("BM_UpdateStatus");
  double list = reporter.nanos("BM_List/" + std::to_string(listed));
  double watchedCpu = reporter.counter("BM_UpdateStatusWatched", "process_cpu_us");
  Report report("store");
  report.context("machine", machineDescription());
  report.context("load average", loadAverage());
  report.context("store", "SqliteStore, WAL, synchronous=FULL, file under " + outputDirectory());
  report.add({"creates per second", 1e9 / create, "writes/s", Goal::Info, std::nullopt,
              "one fsynced transaction each"});
  report.add({"status writes per second", 1e9 / update, "writes/s", Goal::Info, std::nullopt,
              "updateStatus, as the controller writes"});
  report.add({"CPU per create", reporter.cpuNanos("BM_Create") / 1e3, "us", Goal::Info,
              std::nullopt, "the calling thread's, which runs a lone write's transaction"});
  report.add({"CPU per status write", reporter.cpuNanos("BM_UpdateStatus") / 1e3, "us", Goal::Info,
              std::nullopt, "the calling thread's"});
  report.add({"CPU per status write, one watch", watchedCpu, "us", Goal::Info, std::nullopt,
              "process CPU (writer and watch thread) until the watch has seen every write"});
  report.add({"list " + std::to_string(listed) + " machines", list / 1e6, "ms", Goal::Info,
              std::nullopt, "reopened store, parsed documents"});
  for (const bool statusWrites : {false, true}) {
    for (const int threads : {1, 8, 64}) {
      const auto run = concurrentWrites(statusWrites, threads, seconds);
      const std::string what = statusWrites ? "status writes" : "creates";
      std::cout << what << " from " << threads << " threads: " << run.writes << " in " << seconds
                << " s, " << static_cast<long>(run.writesPerSecond) << "/s, " << run.commits
                << " commits" << std::endl;
      report.add({what + " per second, " + std::to_string(threads) + " threads",
                  run.writesPerSecond, "writes/s", Goal::Info, std::nullopt,
                  std::to_string(run.writes) + " writes in " + std::to_string(run.commits) +
                      " commits, each thread to its own objects"});
    }
  }
  report.publish(outputDirectory());
  std::filesystem::remove_all(std::filesystem::path(outputDirectory()) / "store-scratch");
  return 0;
}
