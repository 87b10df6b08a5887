#include "framework/cli/object_query.hpp"

#include <Poco/JSON/Parser.h>

#include <ostream>

#include "framework/cli/cli_error.hpp"
#include "framework/cli/printers.hpp"

namespace maasprov::cli {

std::vector<model::Object> fetchObjects(const Invocation& inv, Terminal& term,
                                        const ResourceType& type, ApiClient& client, int& missing) {
  const bool all = inv.has("all-namespaces");
  const std::vector<std::string> names(inv.args.begin() + 1, inv.args.end());
  std::vector<model::Object> objects;
  if (!names.empty()) {
    if (all) throw usageError("-A cannot be combined with object names");
    if (inv.has("selector")) throw usageError("-l cannot be combined with object names");
    const std::string ns = inv.namespaceOr();
    for (const auto& name : names) {
      auto r = client.sendAllowMissing("GET", type.objectPath(ns, name));
      if (r.status == 404) {
        if (names.size() == 1)
          throw CliError(kExitFailed, type.kind + " " + ns + "/" + name + " not found");
        term.err << "error: " << type.kind << " " << ns << "/" << name << " not found" << std::endl;
        ++missing;
        continue;
      }
      objects.push_back(decodeServerObject(
          Poco::JSON::Parser().parse(r.body).extract<Poco::JSON::Object::Ptr>()));
    }
    return objects;
  }
  std::string path = type.listPath(all ? "" : inv.namespaceOr());
  if (inv.has("selector")) path += "?labelSelector=" + queryEscape(inv.value("selector"));
  return decodeServerList(client.getJson(path));
}

}  // namespace maasprov::cli
