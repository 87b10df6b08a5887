// chaos: a fault-injecting proxy in front of the real bare-metal plugin, for tests/chaos.
//
// It serves provisioningMode "bare-metal", so faults hit machines of a shipped type, and loads
// the real baremetal.so named by its config's "delegate" itself. Every call
// is forwarded to it with the host's own call, so healthy machines are provisioned by the real
// plugin through the real host services. A machine labelled chaos.maasprov.io/fault first
// gets the real reconcile (a MAAS machine allocated and checkpointed, its deployment started),
// then, instead of that answer, the fault:
//   throw       a C++ exception out of reconcile, across the C ABI
//   malformed   a truncated JSON document
//   not-object  a JSON array as the result document
//   bad-utf8    a failure whose message and host are not UTF-8
//   huge        a result document past the host's limit (16 MiB)
//   block       sleeps for an hour, never asking whether it was cancelled
//   crash       a null write (SIGSEGV) while the file named by "crashWhileFileExists" exists;
//               otherwise the real answer, so the machine recovers once "fixed"
// Each fault first appends "<fault> <namespace>/<name>" to the file named by "faultLog", so
// the test can count them across crashes. remove and describe are always forwarded.
//
// Written against the raw C ABI (plus the SDK's header-only JSON parser) because an SDK
// plugin cannot produce broken documents or let exceptions escape.
#include <dlfcn.h>
#include <fcntl.h>
#include <maasprov/plugin_abi.h>
#include <unistd.h>

#include <chrono>
#include <maasprov/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

namespace json = maasprov::json;

const maasprov_host_services* g_host = nullptr;

struct Buffer {
  std::string text;
  static int32_t append(void* context, const char* data, size_t size) {
    static_cast<Buffer*>(context)->text.append(data, size);
    return MAASPROV_OK;
  }
  maasprov_sink sink() { return maasprov_sink{sizeof(maasprov_sink), this, &append}; }
};

int32_t put(const maasprov_sink& sink, const std::string& text) {
  return sink.append(sink.context, text.data(), text.size());
}

int32_t fail(maasprov_result* result, const std::string& message) {
  result->error_type = MAASPROV_ERROR_INVALID_SPEC;
  result->retryable = 0;
  put(result->error_message, message);
  return MAASPROV_FAILED;
}

struct Instance {
  const maasprov_plugin_descriptor* delegate = nullptr;
  maasprov_instance* delegateInstance = nullptr;
  std::string crashFile;
  std::string faultLog;
};

// The object's namespace/name and its fault label ("" for a healthy machine).
struct Target {
  std::string key;
  std::string fault;
};

Target targetOf(maasprov_str request) {
  Target t;
  try {
    const json::Value doc = json::parse(std::string_view(request.data, request.size));
    if (const json::Value* meta = doc.findPath({"object", "metadata"})) {
      t.key = meta->getString("namespace") + "/" + meta->getString("name");
      if (const json::Value* labels = meta->find("labels"); labels && labels->isObject()) {
        t.fault = labels->getString("chaos.maasprov.io/fault");
      }
    }
  } catch (const std::exception&) {  // not ours to judge: the delegate reports it
  }
  return t;
}

void record(const Instance& self, const Target& t) {
  if (self.faultLog.empty()) return;
  const std::string line = t.fault + " " + t.key + "\n";
  const int fd = ::open(self.faultLog.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;
  (void)!::write(fd, line.data(), line.size());  // one write: lines never interleave
  ::close(fd);
}

int32_t create(maasprov_call* call, maasprov_str config, maasprov_instance** out,
               maasprov_result* result) {
  try {
    const json::Value c = json::parse(std::string_view(config.data, config.size));
    auto self = std::make_unique<Instance>();
    self->crashFile = c.getString("crashWhileFileExists");
    self->faultLog = c.getString("faultLog");
    const std::string delegate = c.getString("delegate");
    if (delegate.empty())
      return fail(result, "chaos: config \"delegate\" (baremetal.so) is required");
    // Kept loaded for the life of the process, as the host keeps its own plugins.
    void* handle = ::dlopen(delegate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) return fail(result, std::string("chaos: ") + ::dlerror());
    auto entry =
        reinterpret_cast<maasprov_plugin_entry_fn>(::dlsym(handle, MAASPROV_PLUGIN_ENTRY_SYMBOL));
    if (entry == nullptr) return fail(result, "chaos: " + delegate + " has no entry point");
    Buffer refusal;
    maasprov_negotiation n{};
    n.struct_size = sizeof(n);
    n.min_version = MAASPROV_ABI_VERSION_1;
    n.max_version = MAASPROV_ABI_VERSION_1;
    n.host = g_host;
    n.refusal = refusal.sink();
    if (entry(&n) != MAASPROV_OK || n.descriptor == nullptr) {
      return fail(result, "chaos: " + delegate + " refused: " + refusal.text);
    }
    self->delegate = n.descriptor;
    const json::Value* dc = c.find("delegateConfig");
    const std::string delegateConfig = dc != nullptr ? dc->dump() : "{}";
    const int32_t rc = self->delegate->create(call, {delegateConfig.data(), delegateConfig.size()},
                                              &self->delegateInstance, result);
    if (rc != MAASPROV_OK) return rc;
    *out = reinterpret_cast<maasprov_instance*>(self.release());
    return MAASPROV_OK;
  } catch (const std::exception& e) {
    return fail(result, std::string("chaos: bad config: ") + e.what());
  }
}

// Copies what the delegate answered into the host's result.
int32_t forwardAnswer(int32_t rc, const maasprov_result& scratch, const Buffer& doc,
                      const Buffer& message, const Buffer& host, maasprov_result* result) {
  if (!doc.text.empty()) put(result->document, doc.text);
  if (!message.text.empty()) put(result->error_message, message.text);
  if (!host.text.empty()) put(result->error_host, host.text);
  result->error_type = scratch.error_type;
  result->retryable = scratch.retryable;
  result->requeue_after_ms = scratch.requeue_after_ms;
  return rc;
}

int32_t reconcile(maasprov_instance* instance, maasprov_call* call, maasprov_str request,
                  maasprov_result* result) {
  auto* self = reinterpret_cast<Instance*>(instance);
  const Target t = targetOf(request);
  if (t.fault.empty()) {
    return self->delegate->reconcile(self->delegateInstance, call, request, result);
  }
  // The real work first, into a scratch result: what it did in MAAS stays (checkpointed), what
  // it answered is replaced by the fault.
  Buffer doc, message, host;
  maasprov_result scratch{};
  scratch.struct_size = sizeof(scratch);
  scratch.document = doc.sink();
  scratch.error_message = message.sink();
  scratch.error_host = host.sink();
  const int32_t rc = self->delegate->reconcile(self->delegateInstance, call, request, &scratch);

  if (t.fault == "crash") {
    if (self->crashFile.empty() || ::access(self->crashFile.c_str(), F_OK) != 0) {
      return forwardAnswer(rc, scratch, doc, message, host, result);  // "fixed"
    }
    record(*self, t);
    static volatile int* volatile nowhere = nullptr;
    *nowhere = 1;  // what a stray pointer in a plugin does to the process
    return MAASPROV_FAILED;
  }
  record(*self, t);
  if (t.fault == "throw") {
    throw std::runtime_error("chaos: thrown out of reconcile");
  }
  if (t.fault == "malformed") {
    put(result->document, R"({"status": {"ready": true, "hostname": "chaos)");
    return MAASPROV_OK;
  }
  if (t.fault == "not-object") {
    put(result->document, R"([{"status": {"ready": true}}])");
    return MAASPROV_OK;
  }
  if (t.fault == "bad-utf8") {
    put(result->error_message, "chaos: bad \x80 bytes \xC3 and \xFF end \xE2\x82");
    put(result->error_host, "host-\xFE");
    result->error_type = MAASPROV_ERROR_INTERNAL;
    result->retryable = 1;
    return MAASPROV_FAILED;
  }
  if (t.fault == "huge") {
    // Keeps appending until the host refuses (its limit is 16 MiB); a 64 MiB cap in case not.
    put(result->document, R"({"status": {"ready": true, "hostname": ")");
    const std::string chunk(1 << 20, 'x');
    for (int i = 0; i < 64; ++i) {
      if (put(result->document, chunk) != MAASPROV_OK) break;
    }
    put(result->document, R"("}})");
    return MAASPROV_OK;
  }
  if (t.fault == "block") {
    // Stuck as in a syscall: never looks at cancelled(), so the host can only abandon it.
    std::this_thread::sleep_for(std::chrono::hours(1));
    put(result->document, R"({"status": {}})");
    return MAASPROV_OK;
  }
  result->error_type = MAASPROV_ERROR_INVALID_SPEC;
  result->retryable = 0;
  put(result->error_message, "chaos: unknown fault \"" + t.fault + "\"");
  return MAASPROV_FAILED;
}

int32_t remove(maasprov_instance* instance, maasprov_call* call, maasprov_str request,
               maasprov_result* result) {
  auto* self = reinterpret_cast<Instance*>(instance);
  return self->delegate->remove(self->delegateInstance, call, request, result);
}

int32_t describe(maasprov_instance* instance, maasprov_call* call, maasprov_result* result) {
  auto* self = reinterpret_cast<Instance*>(instance);
  if (self->delegate->describe == nullptr) return put(result->document, "{}");
  return self->delegate->describe(self->delegateInstance, call, result);
}

void destroy(maasprov_instance* instance) {
  auto* self = reinterpret_cast<Instance*>(instance);
  if (self == nullptr) return;
  if (self->delegateInstance != nullptr) self->delegate->destroy(self->delegateInstance);
  delete self;
}

const char* const kModes[] = {"bare-metal"};

const maasprov_plugin_descriptor kDescriptor = {
    sizeof(maasprov_plugin_descriptor),
    "chaos",
    "1.0.0",
    MAASPROV_KIND_MACHINE_PROVISIONER,
    kModes,
    1,
    create,
    reconcile,
    remove,
    describe,
    destroy,
};

}  // namespace

extern "C" MAASPROV_PLUGIN_EXPORT int32_t maasprov_plugin_entry(maasprov_negotiation* n) {
  if (n->min_version > MAASPROV_ABI_VERSION_1 || n->max_version < MAASPROV_ABI_VERSION_1) {
    return MAASPROV_E_VERSION;
  }
  g_host = n->host;
  n->abi_version = MAASPROV_ABI_VERSION_1;
  n->descriptor = &kDescriptor;
  return MAASPROV_OK;
}
