// bench_compare: the figures of interleaved A/B runs side by side (scripts/bench --compare).
//
//   bench_compare --base a1.json,a2.json,... --head b1.json,b2.json,...
//
// Each file is a report as Report::publish writes it. For every figure of the head's reports it
// prints each run's value on both sides, both medians and the change of the median. A single run
// says little on a shared VM whose speed drifts; medians of interleaved runs, and ratios such as
// controller CPU / simulator CPU, do.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "options.hpp"

namespace {

struct Runs {
  std::vector<std::string> order;  // figure names as the first report lists them
  std::map<std::string, std::vector<double>> values;
  std::map<std::string, std::string> units;
};

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

Runs read(const std::vector<std::string>& files) {
  Runs runs;
  for (const auto& file : files) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error(file + ": cannot be read");
    Poco::JSON::Object::Ptr report;
    try {
      report = Poco::JSON::Parser().parse(in).extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& e) {
      throw std::runtime_error(file + ": not a benchmark report (" + e.displayText() + ")");
    }
    auto figures = report->getArray("figures");
    if (!figures) throw std::runtime_error(file + ": no \"figures\" array");
    for (std::size_t i = 0; i < figures->size(); ++i) {
      auto f = figures->getObject(static_cast<unsigned>(i));
      auto name = f->optValue<std::string>("name", "");
      if (!runs.values.count(name)) runs.order.push_back(name);
      runs.values[name].push_back(f->optValue<double>("value", 0));
      runs.units[name] = f->optValue<std::string>("unit", "");
    }
  }
  return runs;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

std::string join(const std::vector<double>& values) {
  std::string out;
  char buffer[32];
  for (double v : values) {
    std::snprintf(buffer, sizeof buffer, "%.3g", v);
    out += (out.empty() ? "" : " / ") + std::string(buffer);
  }
  return out.empty() ? "-" : out;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    maasprov::bench::Options o(argc, argv);
    const auto baseFiles = split(o.str("base", ""));
    const auto headFiles = split(o.str("head", ""));
    if (baseFiles.empty() || headFiles.empty()) {
      throw std::invalid_argument(
          "--base and --head each expect a comma-separated list of reports");
    }
    const Runs base = read(baseFiles);
    const Runs head = read(headFiles);
    std::printf("%-70s %-26s %-26s %9s\n", "figure (median of runs)", "base", "head", "change");
    for (const auto& name : head.order) {
      auto b = base.values.find(name);
      const std::vector<double> none;
      const auto& bv = b == base.values.end() ? none : b->second;
      const auto& hv = head.values.at(name);
      const double mb = median(bv);
      const double mh = median(hv);
      char change[32] = "";
      if (!bv.empty() && mb != 0)
        std::snprintf(change, sizeof change, "%+.1f %%", (mh / mb - 1) * 100);
      std::printf("%-70s %-26s %-26s %9s\n", (name + " [" + head.units.at(name) + "]").c_str(),
                  join(bv).c_str(), join(hv).c_str(), change);
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_compare: " << e.what() << std::endl;
    return 64;
  }
}
