// The objects a `TYPE [NAME...] [-n NS | -A] [-l SELECTOR]` invocation names (get, describe):
// each named object read on its own, or one list call.
//
// Ownership: returns values. Thread-safety: none (uses the caller's client).
#pragma once

#include <vector>

#include "framework/cli/api_client.hpp"
#include "framework/cli/command.hpp"
#include "framework/cli/resources.hpp"
#include "framework/model/object.hpp"

namespace maasprov::cli {

// inv.args[0] is the type, the rest are names. With one name that does not exist, throws a
// CliError (`MaasMachine default/x not found`); with several, each missing one is reported on
// stderr and counted in `missing`.
std::vector<model::Object> fetchObjects(const Invocation& inv, Terminal& term,
                                        const ResourceType& type, ApiClient& client, int& missing);

}  // namespace maasprov::cli
