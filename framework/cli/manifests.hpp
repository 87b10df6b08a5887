// Reading manifests for `apply -f`, `delete -f` and `validate -f`: files, directories (their
// *.yaml, *.yml and *.json files in name order, not recursive) and `-` (standard input),
// decoded by the resource model, so errors carry its exact `path: message` text prefixed with
// the file and document (`cluster.yaml: document 3: spec.minCPU: expected integer, got string`).
//
// Ownership: returns values. Thread-safety: reentrant, but reads the given stdin stream.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "framework/model/object.hpp"

namespace maasprov::cli {

struct Manifest {
  std::string source;  // the file it came from ("-" for standard input)
  model::Object object;
};

// Decodes every object of every source, in order. Throws CliError (exit 1) with the model's
// message for the first document that cannot be decoded, or naming a source that cannot be
// read; nothing is returned partially. In a directory, files that are not manifests at all
// (their first document has no `kind`) are skipped with a line on `notes`.
std::vector<Manifest> readManifests(const std::vector<std::string>& sources, std::istream& stdin,
                                    std::ostream& notes);

// Applies the namespace rules of `apply`/`delete`: an object without metadata.namespace gets
// `ns`; one whose namespace differs from an explicitly given `-n` is an error.
void resolveNamespaces(std::vector<Manifest>& manifests, const std::string& ns, bool explicitNs);

}  // namespace maasprov::cli
