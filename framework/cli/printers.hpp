// How `get` prints objects: the table and wide columns of each kind, JSON and YAML, and the
// machine phase the tables, `describe` and wait progress share.
//
// Ownership: functions over values. Thread-safety: reentrant.
#pragma once

#include <Poco/JSON/Object.h>

#include <ostream>
#include <string>
#include <vector>

#include "framework/cli/resources.hpp"
#include "framework/model/object.hpp"

namespace maasprov::cli {

enum class OutputFormat { Table, Wide, Json, Yaml };

// "table" (or empty), "wide", "json", "yaml"; a usage CliError otherwise.
OutputFormat parseOutputFormat(const std::string& text);

// The machine's phase, as maasprovd's metrics count them: Pending, Provisioning, Ready, Failed,
// Deleting (the same rules as controller::machinePhase).
std::string machinePhase(const model::MaasMachine& machine);
// One short phrase saying where the machine is: MAAS state or the Ready condition's reason.
std::string machineProgress(const model::MaasMachine& machine);
// "maasmachine/cp-0".
std::string objectRef(const model::Object& object);

// A server object (JSON) as a model object; a CliError if the server sent something the model
// cannot read (a version mismatch between CLI and daemon).
model::Object decodeServerObject(const Poco::JSON::Object::Ptr& json);
// The items of a server list.
std::vector<model::Object> decodeServerList(const Poco::JSON::Object::Ptr& list);

// Prints `objects` (all of `type`). `single` prints a lone object instead of a List in JSON;
// `allNamespaces` adds the NAMESPACE column.
void printObjects(std::ostream& out, const std::vector<model::Object>& objects,
                  const ResourceType& type, OutputFormat format, bool allNamespaces, bool single);

}  // namespace maasprov::cli
