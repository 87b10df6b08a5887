// Scenario 4, the plugin boundary: one reconcile of a typical MaasMachine document through the
// C ABI (the real loader and PluginInstance, bench-typical.so built with the SDK), host to
// plugin and back, against a direct C++ call of the very same function.
//
//   BM_Direct          TypicalProvisioner::reconcile on an already parsed Request
//   BM_DirectWithJson  + the JSON work any plugin does: parse the request, write the result
//   BM_Abi             PluginInstance::reconcile(request string): ABI, host sinks, result
//                      parsed into Poco objects by the host (no timeout: caller's thread); the
//                      request as ABI v2 has it, the peers asked for through cluster_machines
//   BM_AbiWithTimeout  the same with a timeout: the call runs on a pooled call thread
//   BM_PluginCaller    controller::PluginCaller::call, as the controller calls plugins (the
//                      caller's thread, watched for controller.plugin_timeout); process CPU
//   BM_AbiFromObjects  + makeRequestDocument from Poco objects, as the controller builds it
//
//   bench_plugin_boundary [--quick] [Google Benchmark flags]
#include <Poco/JSON/Parser.h>
#include <benchmark/benchmark.h>

#include <cstring>
#include <iostream>

#include "../common/gbench_report.hpp"
#include "framework/controller/plugin_caller.hpp"
#include "framework/plugin/plugin_instance.hpp"
#include "framework/plugin/plugin_library.hpp"
#include "framework/plugin/request_document.hpp"
#include "typical_provisioner.hpp"
#include "typical_request.hpp"

namespace maasprov::bench {
namespace {

std::shared_ptr<plugin::PluginInstance> loadPlugin() {
  static std::shared_ptr<plugin::PluginInstance> instance = [] {
    auto lib = plugin::PluginLibrary::load(BENCH_PLUGIN_FILE);
    auto env = std::make_shared<plugin::HostEnvironment>();
    return plugin::PluginInstance::create(lib, env, "{}");
  }();
  return instance;
}

void BM_Direct(benchmark::State& state) {
  TypicalProvisioner p;
  Request req(json::parse(typicalRequest()));
  Host host(nullptr, nullptr);
  for (auto _ : state) {
    Result r = p.reconcile(req, host);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Direct)->Unit(benchmark::kMicrosecond);

void BM_DirectWithJson(benchmark::State& state) {
  TypicalProvisioner p;
  const std::string& text = typicalRequest();
  Host host(nullptr, nullptr);
  for (auto _ : state) {
    Request req(json::parse(text));
    std::string out = p.reconcile(req, host).toJson().dump();
    benchmark::DoNotOptimize(out);
  }
  state.counters["request_bytes"] = static_cast<double>(text.size());
}
BENCHMARK(BM_DirectWithJson)->Unit(benchmark::kMicrosecond);

void BM_Abi(benchmark::State& state) {
  auto instance = loadPlugin();
  const std::string& text = typicalV2Request();
  plugin::CallOptions options;
  options.machines = typicalMachines();
  for (auto _ : state) {
    auto outcome = instance->reconcile(text, options);
    if (!outcome.ok()) {
      state.SkipWithError(outcome.error->message.c_str());
      break;
    }
    benchmark::DoNotOptimize(outcome.status);
  }
}
BENCHMARK(BM_Abi)->Unit(benchmark::kMicrosecond);

void BM_AbiWithTimeout(benchmark::State& state) {
  auto instance = loadPlugin();
  const std::string& text = typicalV2Request();
  plugin::CallOptions options;
  options.objectKey = "default/c1-cp-0";
  options.timeout = std::chrono::seconds(120);  // controller.plugin_timeout's default
  options.machines = typicalMachines();
  for (auto _ : state) {
    auto outcome = instance->reconcile(text, options);
    if (!outcome.ok()) {
      state.SkipWithError(outcome.error->message.c_str());
      break;
    }
    benchmark::DoNotOptimize(outcome.status);
  }
}
BENCHMARK(BM_AbiWithTimeout)->Unit(benchmark::kMicrosecond);

void BM_PluginCaller(benchmark::State& state) {
  auto instance = loadPlugin();
  const std::string& text = typicalV2Request();
  controller::PluginCaller caller(std::chrono::seconds(120));  // plugin_timeout's default
  for (auto _ : state) {
    auto outcome = caller.call(instance, controller::PluginOp::Reconcile, text, "default/c1-cp-0",
                               {}, typicalMachines());
    if (!outcome.ok()) {
      state.SkipWithError(outcome.error->message.c_str());
      break;
    }
    benchmark::DoNotOptimize(outcome.status);
  }
}
// Process CPU: the call runs on this thread, watched by the caller's watchdog thread.
BENCHMARK(BM_PluginCaller)->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime()->UseRealTime();

void BM_AbiFromObjects(benchmark::State& state) {
  auto instance = loadPlugin();
  auto parse = [](const std::string& s) {
    return Poco::JSON::Parser().parse(s).extract<Poco::JSON::Object::Ptr>();
  };
  auto object = parse(typicalMachine("c1-cp-0", "zone-a"));
  auto cluster = parse(typicalCluster());
  std::vector<Poco::JSON::Object::Ptr> machines = {parse(typicalMachine("c1-cp-1", "zone-b")),
                                                   parse(typicalMachine("c1-cp-2", "zone-c"))};
  std::optional<std::string> userData = typicalUserData();
  for (auto _ : state) {
    std::string text = plugin::makeRequestDocument(object, cluster, userData, machines);
    auto outcome = instance->reconcile(text);
    if (!outcome.ok()) {
      state.SkipWithError(outcome.error->message.c_str());
      break;
    }
    benchmark::DoNotOptimize(outcome.status);
  }
}
BENCHMARK(BM_AbiFromObjects)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace maasprov::bench

int main(int argc, char** argv) {
  using namespace maasprov::bench;
  std::vector<char*> args;
  std::string minTime = "--benchmark_min_time=0.01";
  for (int i = 0; i < argc; ++i) {
    args.push_back(std::strcmp(argv[i], "--quick") == 0 ? minTime.data() : argv[i]);
  }
  int n = static_cast<int>(args.size());
  CapturingReporter reporter;
  runBenchmarks(n, args.data(), reporter);

  double direct = reporter.nanos("BM_Direct") / 1000;
  double withJson = reporter.nanos("BM_DirectWithJson") / 1000;
  double abi = reporter.nanos("BM_Abi") / 1000;
  double timed = reporter.nanos("BM_AbiWithTimeout") / 1000;
  // Google Benchmark names it after its measurement options.
  const std::string pooledName = "BM_PluginCaller/process_time/real_time";
  double pooled = reporter.nanos(pooledName) / 1000;
  double objects = reporter.nanos("BM_AbiFromObjects") / 1000;
  Report report("plugin-boundary");
  report.context("machine", machineDescription());
  report.context("load average", loadAverage());
  report.context("request", std::to_string(typicalRequest().size()) +
                                " bytes: a deployed LXD MaasMachine, its cluster, 1 KiB user "
                                "data, summaries of two other machines");
  report.add({"direct C++ call", direct, "µs", Goal::Info, std::nullopt, "parsed Request in"});
  report.add({"direct C++ call with the plugin's JSON parse and dump", withJson, "µs", Goal::Info,
              std::nullopt, ""});
  report.add({"round trip through the C ABI", abi, "µs", Goal::AtMost, 20.0,
              "PluginInstance::reconcile, caller's thread"});
  report.add({"round trip through the C ABI, CPU time", reporter.cpuNanos("BM_Abi") / 1000, "µs",
              Goal::AtMost, 20.0, "the thread's CPU time: less disturbed by load"});
  report.add({"round trip through the C ABI with a timeout", timed, "µs", Goal::AtMost, 20.0,
              "PluginInstance, pooled call thread"});
  report.add({"call through PluginCaller (as the controller calls)", pooled, "µs", Goal::AtMost,
              20.0, "the caller's thread, watched for the 120 s timeout"});
  report.add({"call through PluginCaller, process CPU time", reporter.cpuNanos(pooledName) / 1000,
              "µs", Goal::Info, std::nullopt, "the whole process"});
  report.add({"request built from Poco objects + round trip", objects, "µs", Goal::Info,
              std::nullopt, "makeRequestDocument + reconcile"});
  report.add({"boundary overhead (ABI - direct with JSON)", abi - withJson, "µs", Goal::Info,
              std::nullopt, "host-side copies, Poco parse of the result"});
  report.publish(outputDirectory());
  return 0;
}
