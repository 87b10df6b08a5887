// The Prometheus registry's text format, as a scraper reads it.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "framework/metrics/registry.hpp"

namespace maasprov::metrics {
namespace {

TEST(MetricsRegistry, RendersCountersGaugesAndHistogramsInTextFormat) {
  Registry r;
  auto& requests = r.counter("maas_requests_total", "Requests.", {"endpoint", "status"});
  auto& depth = r.gauge("queue_depth", "Depth.");
  auto& latency = r.histogram("latency_seconds", "Latency.", {"kind"}, {0.1, 1});
  requests.inc({"GET machines/", "200"});
  requests.inc({"GET machines/", "200"}, 2);
  depth.set({}, 7);
  latency.observe({"MaasMachine"}, 0.05);
  latency.observe({"MaasMachine"}, 0.5);
  latency.observe({"MaasMachine"}, 3);
  const std::string text = r.render();
  EXPECT_NE(text.find("# HELP maas_requests_total Requests.\n# TYPE maas_requests_total counter\n"
                      "maas_requests_total{endpoint=\"GET machines/\",status=\"200\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE queue_depth gauge\nqueue_depth 7\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{kind=\"MaasMachine\",le=\"0.1\"} 1\n"
                      "latency_seconds_bucket{kind=\"MaasMachine\",le=\"1\"} 2\n"
                      "latency_seconds_bucket{kind=\"MaasMachine\",le=\"+Inf\"} 3\n"
                      "latency_seconds_sum{kind=\"MaasMachine\"} 3.55\n"
                      "latency_seconds_count{kind=\"MaasMachine\"} 3\n"),
            std::string::npos)
      << text;
}

TEST(MetricsRegistry, EscapesLabelValuesAndRefusesBadNames) {
  Registry r;
  auto& f = r.gauge("odd", "Odd values.", {"v"});
  f.set({"a\"b\\c\nd"}, 1);
  EXPECT_NE(r.render().find("odd{v=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos);
  EXPECT_THROW(r.counter("bad-name", "x"), std::invalid_argument);
  EXPECT_THROW(r.counter("odd", "twice"), std::invalid_argument);
  EXPECT_THROW(r.counter("ok_name", "x", {"le"}), std::invalid_argument);
  EXPECT_THROW(f.set({}, 1), std::invalid_argument);  // wrong number of label values
  auto& c = r.counter("only_up", "x");
  EXPECT_THROW(c.inc({}, -1), std::invalid_argument);
}

TEST(MetricsRegistry, CollectorsRefreshBeforeRenderAndConcurrentUpdatesAddUp) {
  Registry r;
  auto& depth = r.gauge("depth", "Depth.");
  int calls = 0;
  r.addCollector([&] { depth.set({}, ++calls); });
  r.addCollector([] { throw std::runtime_error("broken collector"); });
  EXPECT_NE(r.render().find("depth 1\n"), std::string::npos);
  EXPECT_NE(r.render().find("depth 2\n"), std::string::npos);

  auto& hits = r.counter("hits_total", "Hits.", {"worker"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) hits.inc({"all"});
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(hits.value({"all"}), 4000);
}

}  // namespace
}  // namespace maasprov::metrics
