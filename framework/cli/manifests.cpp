#include "framework/cli/manifests.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "framework/cli/cli_error.hpp"
#include "framework/cli/printers.hpp"
#include "framework/model/decode.hpp"

namespace maasprov::cli {
namespace {

// In a directory, a file whose first document has no `kind` is not a manifest at all (e.g.
// examples/maas-inventory.yaml beside examples/cluster.yaml): it is skipped, and said so.
void decodeInto(const std::string& text, const std::string& source,
                std::vector<Manifest>& manifests, std::ostream* skipNotes = nullptr) {
  try {
    for (auto& object : model::decodeDocuments(text, source)) {
      manifests.push_back({source, std::move(object)});
    }
  } catch (const model::DecodeError& e) {
    if (skipNotes && e.document() == 1 && e.path() == "kind" && e.message() == "required") {
      *skipNotes << "skipping " << source << ": not a manifest (no kind)" << std::endl;
      return;
    }
    throw CliError(kExitFailed, e.what());
  }
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CliError(kExitFailed, path.string() + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::vector<Manifest> readManifests(const std::vector<std::string>& sources, std::istream& stdin,
                                    std::ostream& notes) {
  if (sources.empty()) throw usageError("-f/--filename is required (a file, a directory or -)");
  std::vector<Manifest> manifests;
  for (const auto& source : sources) {
    if (source == "-") {
      std::stringstream text;
      text << stdin.rdbuf();
      decodeInto(text.str(), "-", manifests);
      continue;
    }
    std::error_code ec;
    const std::filesystem::path path(source);
    if (std::filesystem::is_directory(path, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
        const auto ext = entry.path().extension();
        if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) {
          files.push_back(entry.path());
        }
      }
      if (ec) throw CliError(kExitFailed, source + ": cannot be read: " + ec.message());
      std::sort(files.begin(), files.end());
      if (files.empty()) {
        throw CliError(kExitFailed, source + ": holds no *.yaml, *.yml or *.json files");
      }
      for (const auto& file : files) decodeInto(readFile(file), file.string(), manifests, &notes);
    } else if (std::filesystem::exists(path, ec)) {
      decodeInto(readFile(path), source, manifests);
    } else {
      throw CliError(kExitFailed, source + ": no such file or directory");
    }
  }
  return manifests;
}

void resolveNamespaces(std::vector<Manifest>& manifests, const std::string& ns, bool explicitNs) {
  for (auto& m : manifests) {
    auto& meta = model::metadataOf(m.object);
    if (meta.namespace_.empty()) {
      meta.namespace_ = ns;
    } else if (explicitNs && meta.namespace_ != ns) {
      throw CliError(kExitFailed, m.source + ": " + objectRef(m.object) + " is in namespace '" +
                                      meta.namespace_ + "', not in '" + ns + "' given with -n");
    }
  }
}

}  // namespace maasprov::cli
