#include "report.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace maasprov::bench {

std::string Figure::verdict() const {
  if (goal == Goal::Info || !target) return "info";
  bool ok = goal == Goal::AtMost ? value <= *target : value >= *target;
  if (ok) return "PASS";
  // How far off, relative to the target, so "MISS" always says by how much.
  double off = *target == 0 ? 0 : (value - *target) / *target * 100.0;
  char buf[48];
  std::snprintf(buf, sizeof buf, "MISS (%+.0f%%)", off);
  return *target == 0 ? "MISS" : buf;
}

void Report::context(const std::string& key, const std::string& value) {
  context_.emplace_back(key, value);
}

namespace {

std::string number(double v) {
  char buf[64];
  if (v != 0 && (std::fabs(v) >= 1e6 || std::fabs(v) < 0.01)) {
    std::snprintf(buf, sizeof buf, "%.3g", v);
  } else if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e6) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.3f", v);
  }
  return buf;
}

std::string targetText(const Figure& f) {
  if (!f.target) return "-";
  return std::string(f.goal == Goal::AtMost ? "<= " : ">= ") + number(*f.target);
}

void pad(std::ostream& out, const std::string& s, size_t width) {
  out << s;
  // Count UTF-8 code points, not bytes, so "µs" lines up.
  size_t cps = 0;
  for (unsigned char c : s) cps += (c & 0xC0) != 0x80;
  for (size_t i = cps; i < width; ++i) out << ' ';
}

}  // namespace

std::string Report::publish(const std::string& dir) const {
  std::ostringstream out;
  out << "\n== " << scenario_ << " ==\n";
  for (const auto& [k, v] : context_) out << "  " << k << ": " << v << "\n";
  size_t wName = 6, wValue = 5, wUnit = 4, wTarget = 6;
  for (const auto& f : figures_) {
    wName = std::max(wName, f.name.size());
    wValue = std::max(wValue, number(f.value).size());
    wUnit = std::max(wUnit, f.unit.size());
    wTarget = std::max(wTarget, targetText(f).size());
  }
  out << "  ";
  pad(out, "figure", wName + 2);
  pad(out, "value", wValue + 2);
  pad(out, "unit", wUnit + 2);
  pad(out, "target", wTarget + 2);
  out << "verdict\n";
  for (const auto& f : figures_) {
    out << "  ";
    pad(out, f.name, wName + 2);
    pad(out, number(f.value), wValue + 2);
    pad(out, f.unit, wUnit + 2);
    pad(out, targetText(f), wTarget + 2);
    out << f.verdict();
    if (!f.note.empty()) out << "  (" << f.note << ")";
    out << "\n";
  }
  std::cout << out.str() << std::flush;

  Poco::JSON::Object json;
  json.set("scenario", scenario_);
  Poco::JSON::Object ctx;
  for (const auto& [k, v] : context_) ctx.set(k, v);
  json.set("context", ctx);
  Poco::JSON::Array rows;
  for (const auto& f : figures_) {
    Poco::JSON::Object r;
    r.set("name", f.name);
    r.set("value", f.value);
    r.set("unit", f.unit);
    r.set("goal", f.goal == Goal::AtMost    ? "at_most"
                  : f.goal == Goal::AtLeast ? "at_least"
                                            : "info");
    if (f.target) r.set("target", *f.target);
    r.set("verdict", f.verdict());
    if (!f.note.empty()) r.set("note", f.note);
    rows.add(r);
  }
  json.set("figures", rows);
  std::filesystem::create_directories(dir);
  std::string path = dir + "/" + scenario_ + ".json";
  std::ofstream file(path);
  json.stringify(file, 2);
  file << "\n";
  std::cout << "  -> " << path << "\n";
  return path;
}

std::string machineDescription() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model = "unknown CPU";
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  utsname u{};
  ::uname(&u);
  return model + " x" + std::to_string(::sysconf(_SC_NPROCESSORS_ONLN)) + ", Linux " + u.release;
}

std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::string outputDirectory() {
  if (const char* env = std::getenv("MAASPROV_BENCH_OUT")) return env;
  return std::string(MAASPROV_SOURCE_DIR) + "/build/bench";
}

}  // namespace maasprov::bench
