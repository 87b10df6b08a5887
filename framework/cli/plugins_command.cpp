// maasprov plugins: the plugins maasprovd loaded (name, version, kind, the provisioning modes
// each serves, ABI) and the files it refused, with the reason.
#include <Poco/JSON/Array.h>

#include <ostream>

#include "framework/cli/api_client.hpp"
#include "framework/cli/cli_error.hpp"
#include "framework/cli/command.hpp"
#include "framework/cli/printers.hpp"
#include "framework/cli/table.hpp"

namespace maasprov::cli {
namespace {

std::string str(const Poco::JSON::Object::Ptr& o, const std::string& key) {
  if (!o || !o->has(key) || o->isNull(key)) return {};
  return o->get(key).convert<std::string>();
}

std::string joined(const Poco::JSON::Object::Ptr& o, const std::string& key) {
  auto array = o ? o->getArray(key) : nullptr;
  std::string out;
  if (!array) return out;
  for (std::size_t i = 0; i < array->size(); ++i) {
    out += (out.empty() ? "" : ",") + array->get(i).convert<std::string>();
  }
  return out;
}

}  // namespace

Command pluginsCommand() {
  Command c;
  c.name = "plugins";
  c.usage = "plugins [-o table|wide|json]";
  c.summary = "list loaded plugins (versions, modes) and refused ones with the reason";
  c.defineOptions = [](Poco::Util::OptionSet& options) { addOutputOption(options); };
  c.run = [](const Invocation& inv, Terminal& term) {
    const auto format = parseOutputFormat(inv.value("output"));
    if (format == OutputFormat::Yaml)
      throw usageError("plugins: -o yaml is not supported; use json");
    auto doc = inv.client()->getJson("/apis/maasprov.io/v1/plugins");
    if (format == OutputFormat::Json) {
      doc->stringify(term.out, 2);
      term.out << '\n';
      return kExitOk;
    }
    const bool wide = format == OutputFormat::Wide;
    std::vector<std::string> h = {"NAME", "VERSION", "KIND", "MODES", "ABI"};
    if (wide) h.push_back("FILE");
    Table loaded(h);
    auto items = doc->getArray("items");
    for (std::size_t i = 0; items && i < items->size(); ++i) {
      auto p = items->getObject(i);
      std::vector<std::string> row = {str(p, "name"), str(p, "version"), str(p, "kind"),
                                      joined(p, "serving"), str(p, "abiVersion")};
      if (wide) row.push_back(str(p, "file"));
      loaded.addRow(row);
    }
    if (loaded.empty()) {
      term.out << "No plugins loaded.\n";
    } else {
      loaded.print(term.out);
    }
    auto refused = doc->getArray("refused");
    if (refused && refused->size() > 0) {
      term.out << "\nRefused:\n";
      Table table({"FILE", "REASON"});
      for (std::size_t i = 0; i < refused->size(); ++i) {
        auto r = refused->getObject(i);
        table.addRow({str(r, "file"), str(r, "reason")});
      }
      table.print(term.out);
    }
    return kExitOk;
  };
  return c;
}

}  // namespace maasprov::cli
