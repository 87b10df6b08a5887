// maasprov hosts: the LXD VM hosts MAAS knows (through maasprovd), with zone, pool, project
// and used/total cores, memory and storage: the capacity picture before adding control planes.
#include <Poco/JSON/Array.h>

#include <cstdio>
#include <ostream>

#include "framework/cli/api_client.hpp"
#include "framework/cli/cli_error.hpp"
#include "framework/cli/command.hpp"
#include "framework/cli/printers.hpp"
#include "framework/cli/table.hpp"

namespace maasprov::cli {
namespace {

double number(const Poco::JSON::Object::Ptr& o, const std::string& key) {
  if (!o || !o->has(key) || o->isNull(key)) return 0;
  try {
    return o->get(key).convert<double>();
  } catch (const Poco::Exception&) {
    return 0;
  }
}

std::string text(const Poco::JSON::Object::Ptr& o, const std::string& key) {
  if (!o || !o->has(key) || o->isNull(key)) return {};
  return o->get(key).convert<std::string>();
}

// zone and pool are {name: ...} objects in MAAS's payload.
std::string nameOf(const Poco::JSON::Object::Ptr& o, const std::string& key) {
  if (!o || !o->has(key)) return {};
  if (auto inner = o->getObject(key)) return text(inner, "name");
  return text(o, key);
}

std::string usedOfTotal(double used, double total, double scale, const char* unit) {
  char buf[64];
  // GiB keep one decimal (VMs are often 2.5 GiB); cores and GB are whole numbers.
  std::snprintf(buf, sizeof buf, scale == 1024 ? "%.1f/%.1f%s" : "%.0f/%.0f%s", used / scale,
                total / scale, unit);
  return buf;
}

std::string percent(double used, double total) {
  if (total <= 0) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", 100.0 * used / total);
  return buf;
}

}  // namespace

Command hostsCommand() {
  Command c;
  c.name = "hosts";
  c.usage = "hosts [-o table|wide|json]";
  c.summary = "list LXD VM hosts: zone, pool, project, used/total cores, memory, storage";
  c.help =
      "Memory is in GiB (MAAS counts MiB), storage in GB; -o wide adds the type, tags, the\n"
      "over-commit ratios and the storage pools.";
  c.defineOptions = [](Poco::Util::OptionSet& options) { addOutputOption(options); };
  c.run = [](const Invocation& inv, Terminal& term) {
    const auto format = parseOutputFormat(inv.value("output"));
    if (format == OutputFormat::Yaml) throw usageError("hosts: -o yaml is not supported; use json");
    auto doc = inv.client()->getJson("/apis/maasprov.io/v1/vmhosts");
    if (format == OutputFormat::Json) {
      doc->stringify(term.out, 2);
      term.out << '\n';
      return kExitOk;
    }
    const bool wide = format == OutputFormat::Wide;
    std::vector<std::string> h = {"NAME",  "ZONE",   "POOL",    "PROJECT",
                                  "CORES", "MEMORY", "STORAGE", "CPU%"};
    if (wide) h.insert(h.end(), {"TYPE", "TAGS", "OVERCOMMIT", "STORAGE-POOLS"});
    Table table(h);
    auto items = doc->getArray("items");
    for (std::size_t i = 0; items && i < items->size(); ++i) {
      auto host = items->getObject(i);
      auto used = host->getObject("used");
      auto total = host->getObject("total");
      std::string project = text(host, "project");
      if (project.empty() && host->getObject("parameters")) {
        project = text(host->getObject("parameters"), "project");
      }
      std::vector<std::string> row = {
          text(host, "name"),
          nameOf(host, "zone"),
          nameOf(host, "pool"),
          project,
          usedOfTotal(number(used, "cores"), number(total, "cores"), 1, ""),
          usedOfTotal(number(used, "memory"), number(total, "memory"), 1024, "GiB"),
          usedOfTotal(number(used, "local_storage"), number(total, "local_storage"), 1e9, "GB"),
          percent(number(used, "cores"), number(total, "cores"))};
      if (wide) {
        std::string tags, pools;
        if (auto t = host->getArray("tags")) {
          for (std::size_t k = 0; k < t->size(); ++k) {
            tags += (tags.empty() ? "" : ",") + t->get(k).convert<std::string>();
          }
        }
        if (auto p = host->getArray("storage_pools")) {
          for (std::size_t k = 0; k < p->size(); ++k) {
            auto pool = p->getObject(k);
            pools += (pools.empty() ? "" : ",") + text(pool, "name") + "=" +
                     usedOfTotal(number(pool, "used"), number(pool, "total"), 1e9, "GB");
          }
        }
        char ratios[64];
        std::snprintf(ratios, sizeof ratios, "cpu %.1f, mem %.1f",
                      number(host, "cpu_over_commit_ratio"),
                      number(host, "memory_over_commit_ratio"));
        row.insert(row.end(), {text(host, "type"), tags, ratios, pools});
      }
      table.addRow(row);
    }
    if (table.empty()) {
      term.out << "No VM hosts in MAAS.\n";
    } else {
      table.print(term.out);
    }
    return kExitOk;
  };
  return c;
}

}  // namespace maasprov::cli
