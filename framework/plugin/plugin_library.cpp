#include "framework/plugin/plugin_library.hpp"

#define BOOST_DLL_USE_STD_FS
#include <dlfcn.h>

#include <boost/dll/import.hpp>
#include <boost/dll/shared_library.hpp>
#include <boost/version.hpp>
#include <set>

#include "framework/plugin/call_context.hpp"

namespace maasprov::plugin {
namespace {

using EntryFn = int32_t(maasprov_negotiation*);

// Boost 1.76 renamed dll::import to dll::import_symbol; this is the only place that knows.
template <typename T>
auto importSymbol(boost::dll::shared_library library, const char* name) {
#if BOOST_VERSION >= 107600
  return boost::dll::import_symbol<T>(std::move(library), name);
#else
  return boost::dll::import <T>(std::move(library), name);
#endif
}

int32_t appendToString(void* ctx, const char* data, size_t size) {
  auto* s = static_cast<std::string*>(ctx);
  if (s->size() + size > 4096) return MAASPROV_E_TOO_LARGE;  // a refusal is one line
  s->append(data, size);
  return MAASPROV_OK;
}

std::string codeName(int32_t code) {
  switch (code) {
    case MAASPROV_OK:
      return "OK";
    case MAASPROV_FAILED:
      return "FAILED";
    case MAASPROV_E_VERSION:
      return "E_VERSION";
    case MAASPROV_E_INIT:
      return "E_INIT";
    case MAASPROV_E_INVALID_ARGUMENT:
      return "E_INVALID_ARGUMENT";
    default:
      return "code " + std::to_string(code);
  }
}

bool validName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return name.front() != '-';
}

}  // namespace

// The loaded code: the entry function object owns the shared_library handle.
struct PluginLibrary::Handle {
  decltype(importSymbol<EntryFn>(boost::dll::shared_library(), "")) entry;
};

const char* kindName(Kind kind) {
  return kind == Kind::MachineProvisioner ? "machine-provisioner" : "cluster-endpoint-provider";
}

PluginLibrary::PluginLibrary(Private) {}
PluginLibrary::~PluginLibrary() = default;

std::shared_ptr<const PluginLibrary> PluginLibrary::load(const std::filesystem::path& file,
                                                         const LoadOptions& options) {
  const std::string where = file.string();
  auto fail = [&](const std::string& reason) { return PluginLoadError(where, reason); };

  // dlopen() reads a name without a slash as a library to search for; always pass a path.
  const std::filesystem::path path = std::filesystem::absolute(file);
  // A direct dlopen first: it gives dlerror()'s plain reason, and with RTLD_NODELETE it pins the
  // code so no later dlclose() can unmap it.
  void* pin =
      dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | (options.neverUnload ? RTLD_NODELETE : 0));
  if (pin == nullptr) {
    const char* why = dlerror();
    throw fail(std::string("cannot be loaded: ") + (why != nullptr ? why : "unknown dlopen error"));
  }
  boost::dll::shared_library library;
  try {
    library.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    dlclose(pin);
    throw fail(std::string("cannot be loaded: ") + e.what());
  }
  dlclose(pin);  // Boost.DLL's handle now keeps the library loaded
  if (!library.has(MAASPROV_PLUGIN_ENTRY_SYMBOL)) {
    throw fail("no entry symbol: it does not export " MAASPROV_PLUGIN_ENTRY_SYMBOL
               " (is it a maasprov plugin? was it built with MAASPROV_PLUGIN or "
               "MAASPROV_PLUGIN_EXPORT?)");
  }

  auto self = std::make_shared<PluginLibrary>(Private{});
  self->file_ = file;
  self->handle_ = std::make_unique<Handle>(
      Handle{importSymbol<EntryFn>(std::move(library), MAASPROV_PLUGIN_ENTRY_SYMBOL)});

  std::string refusal;
  maasprov_negotiation n{};
  n.struct_size = sizeof(n);
  n.min_version = options.minVersion;
  n.max_version = options.maxVersion;
  n.host = hostServices();
  n.refusal = maasprov_sink{sizeof(maasprov_sink), &refusal, &appendToString};
  int32_t rc = self->handle_->entry(&n);
  if (rc == MAASPROV_E_VERSION) {
    throw fail("refused ABI version: host offers [" + std::to_string(options.minVersion) + ", " +
               std::to_string(options.maxVersion) + "]" +
               (refusal.empty() ? "" : "; plugin says: " + refusal));
  }
  if (rc == MAASPROV_E_INIT) {
    throw fail("initialisation failed" + (refusal.empty() ? "" : ": " + refusal));
  }
  if (rc != MAASPROV_OK) {
    throw fail("entry point returned " + codeName(rc) + (refusal.empty() ? "" : ": " + refusal));
  }
  if (n.abi_version < options.minVersion || n.abi_version > options.maxVersion) {
    throw fail("answered ABI version " + std::to_string(n.abi_version) +
               ", outside the offered range [" + std::to_string(options.minVersion) + ", " +
               std::to_string(options.maxVersion) + "]");
  }
  const maasprov_plugin_descriptor* d = n.descriptor;
  if (d == nullptr) throw fail("NULL descriptor: the entry point returned OK without one");
  if (d->struct_size < sizeof(maasprov_plugin_descriptor)) {
    throw fail("descriptor struct_size " + std::to_string(d->struct_size) +
               " is smaller than ABI version 1's " +
               std::to_string(sizeof(maasprov_plugin_descriptor)) + " bytes");
  }
  if (d->name == nullptr || !validName(d->name)) {
    throw fail("descriptor name must be 1-64 characters of [a-z0-9-], got " +
               (d->name == nullptr ? std::string("NULL") : "\"" + std::string(d->name) + "\""));
  }
  self->name_ = d->name;
  if (d->version == nullptr || d->version[0] == '\0') {
    throw fail("plugin '" + self->name_ + "': descriptor version is empty");
  }
  self->version_ = d->version;
  if (d->kind == MAASPROV_KIND_MACHINE_PROVISIONER) {
    self->kind_ = Kind::MachineProvisioner;
  } else if (d->kind == MAASPROV_KIND_CLUSTER_ENDPOINT_PROVIDER) {
    self->kind_ = Kind::ClusterEndpointProvider;
  } else {
    throw fail("plugin '" + self->name_ + "': unknown kind " + std::to_string(d->kind));
  }
  if (d->mode_count > 0 && d->modes == nullptr) {
    throw fail("plugin '" + self->name_ + "': modes is NULL but mode_count is " +
               std::to_string(d->mode_count));
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < d->mode_count; ++i) {
    if (d->modes[i] == nullptr || d->modes[i][0] == '\0') {
      throw fail("plugin '" + self->name_ + "': provisioningMode #" + std::to_string(i) +
                 " is empty");
    }
    if (!seen.insert(d->modes[i]).second) {
      throw fail("plugin '" + self->name_ + "': provisioningMode \"" + d->modes[i] +
                 "\" is listed twice");
    }
    self->modes_.emplace_back(d->modes[i]);
  }
  if (self->kind_ == Kind::MachineProvisioner && self->modes_.empty()) {
    throw fail("plugin '" + self->name_ +
               "': a machine provisioner must serve at least one provisioningMode");
  }
  std::string missing;
  if (d->create == nullptr) missing += " create";
  if (d->reconcile == nullptr) missing += " reconcile";
  if (d->remove == nullptr) missing += " remove";
  if (d->destroy == nullptr) missing += " destroy";
  if (!missing.empty()) {
    throw fail("plugin '" + self->name_ + "': missing required function(s):" + missing);
  }
  self->descriptor_ = d;
  self->abiVersion_ = n.abi_version;
  return self;
}

}  // namespace maasprov::plugin
