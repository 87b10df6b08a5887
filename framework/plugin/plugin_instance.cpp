#include "framework/plugin/plugin_instance.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <future>
#include <sstream>

#include "framework/model/json_text.hpp"
#include "framework/plugin/call_threads.hpp"

namespace maasprov::plugin {
namespace {

// Crash report: a plugin that crashes takes the daemon with it (it is code in our process), so
// the least the host can do is say which plugin was running. Calls register in a fixed table
// readable without locks or allocation; a fatal-signal handler prints the table to stderr once
// and lets the signal kill the process with its own number (a core dump, and systemd's
// Restart=on-failure, see SIGSEGV). It is handed to the previous handler only under a
// sanitizer, whose report is worth having: other handlers installed before ours (Poco's turns
// every fatal signal into abort()) would only disguise the cause and print the report twice.
struct InFlightSlot {
  std::atomic<bool> used{false};
  std::atomic<bool> ready{false};
  char text[256] = {};
};
std::array<InFlightSlot, 128> g_inFlight;
constexpr std::array<int, 5> kFatalSignals = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
std::array<struct sigaction, kFatalSignals.size()> g_previous{};
std::atomic<bool> g_reported{false};

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kChainToPrevious = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kChainToPrevious = true;
#else
constexpr bool kChainToPrevious = false;
#endif
#else
constexpr bool kChainToPrevious = false;
#endif

void writeAll(const char* text) {
  size_t left = std::strlen(text);
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, text, left);
    if (n <= 0) return;
    text += n;
    left -= static_cast<size_t>(n);
  }
}

extern "C" void onFatalSignal(int sig) {
  if (!g_reported.exchange(true)) {
    bool any = false;
    for (auto& slot : g_inFlight) {
      if (!slot.ready.load()) continue;
      writeAll(any ? "; " : "maasprovd: fatal signal during plugin call: ");
      writeAll(slot.text);
      any = true;
    }
    if (any) writeAll("\n");
  }
  for (size_t i = 0; i < kFatalSignals.size(); ++i) {
    if (kFatalSignals[i] != sig) continue;
    if (kChainToPrevious) {
      ::sigaction(sig, &g_previous[i], nullptr);
    } else {
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      sigemptyset(&dfl.sa_mask);
      ::sigaction(sig, &dfl, nullptr);
    }
  }
  ::raise(sig);  // a real fault would also repeat on return; raise covers raise()/abort()
}

void installCrashReport() {
  static const bool installed = [] {
    for (size_t i = 0; i < kFatalSignals.size(); ++i) {
      struct sigaction action {};
      action.sa_handler = onFatalSignal;
      sigemptyset(&action.sa_mask);
      action.sa_flags = SA_NODEFER;
      ::sigaction(kFatalSignals[i], &action, &g_previous[i]);
    }
    return true;
  }();
  (void)installed;
}

// Registers one running call ("plugin 'lxd' reconcile default/m0") for the crash report.
class InFlight {
 public:
  explicit InFlight(const std::string& text) {
    for (auto& slot : g_inFlight) {
      bool expected = false;
      if (slot.used.compare_exchange_strong(expected, true)) {
        const size_t n = std::min(text.size(), sizeof(slot.text) - 1);
        std::memcpy(slot.text, text.data(), n);
        slot.text[n] = '\0';
        slot.ready.store(true);
        slot_ = &slot;
        return;
      }
    }  // table full: this call is simply not named in a crash report
  }
  ~InFlight() {
    if (slot_ == nullptr) return;
    slot_->ready.store(false);
    slot_->used.store(false);
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  InFlightSlot* slot_ = nullptr;
};

// Host-owned storage the plugin appends its answer to (the ABI's maasprov_result).
struct ResultBuffers {
  struct Buffer {
    std::string text;
    size_t limit = 0;
    bool overflowed = false;
  };
  Buffer document, message, host;
  maasprov_result result{};

  explicit ResultBuffers(size_t limit) {
    document.limit = limit;
    message.limit = 64 * 1024;  // a message is a line for users, not a document
    host.limit = 1024;
    result.struct_size = sizeof(result);
    result.document = sinkFor(document);
    result.error_message = sinkFor(message);
    result.error_host = sinkFor(host);
  }
  ResultBuffers(const ResultBuffers&) = delete;
  ResultBuffers& operator=(const ResultBuffers&) = delete;

  static maasprov_sink sinkFor(Buffer& b) {
    return maasprov_sink{sizeof(maasprov_sink), &b, &append};
  }
  static int32_t append(void* ctx, const char* data, size_t size) noexcept {
    auto* b = static_cast<Buffer*>(ctx);
    if (size == 0) return MAASPROV_OK;
    if (data == nullptr) return MAASPROV_E_INVALID_ARGUMENT;
    if (b->text.size() + size > b->limit) {
      b->overflowed = true;
      return MAASPROV_E_TOO_LARGE;
    }
    try {
      b->text.append(data, size);
    } catch (...) {
      b->overflowed = true;
      return MAASPROV_E_TOO_LARGE;
    }
    return MAASPROV_OK;
  }
};

// How often a timed call looks at a caller's cancel flag.
constexpr std::chrono::milliseconds kCancelCheck{50};

const char* opName(int op) {
  switch (op) {
    case 0:
      return "reconcile";
    case 1:
      return "remove";
    default:
      return "describe";
  }
}

// Plugins may hand back arbitrary bytes; messages leave the host as JSON and log lines, which
// must be valid UTF-8. Keeps well-formed sequences, replaces each bad byte with U+FFFD.
std::string validUtf8(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c < 0x80) {
      len = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    }
    bool ok = len > 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) {
      const unsigned char b = s[i + k];
      ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
    }
    if (ok) {
      out.append(in, i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

PluginFailure internal(const std::string& message) {
  PluginFailure f;
  f.type = ErrorType::Internal;
  f.message = message;
  f.retryable = true;
  return f;
}

// Parses and checks a result document; throws std::runtime_error describing what is wrong.
Poco::JSON::Object::Ptr parseDocument(const std::string& text) {
  Poco::JSON::Object::Ptr document;
  try {
    document = model::readObject(text);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("malformed JSON (" + e.displayText() + ")");
  }
  if (!document) throw std::runtime_error("the result document is not a JSON object");
  return document;
}

void applyDocument(const Poco::JSON::Object::Ptr& doc, CallOutcome& out) {
  out.document = doc;
  if (doc->has("status")) {
    if (!doc->isObject("status")) throw std::runtime_error("\"status\" is not a JSON object");
    out.status = doc->getObject("status");
  }
  if (doc->has("requeueAfterSeconds") && !doc->isNull("requeueAfterSeconds")) {
    Poco::Dynamic::Var v = doc->get("requeueAfterSeconds");
    if (!v.isInteger() || v.convert<int64_t>() < 0) {
      throw std::runtime_error("\"requeueAfterSeconds\" is not a non-negative integer");
    }
    out.requeueAfter = std::chrono::seconds(v.convert<int64_t>());
  }
  if (doc->has("done")) {
    Poco::Dynamic::Var v = doc->get("done");
    if (!v.isBoolean()) throw std::runtime_error("\"done\" is not a boolean");
    out.done = v.extract<bool>();
  }
}

// Applied to every outcome before it leaves the host's plugin boundary.
CallOutcome withValidText(CallOutcome out) {
  if (out.error) {
    out.error->message = validUtf8(out.error->message);
    out.error->host = validUtf8(out.error->host);
  }
  return out;
}

}  // namespace

PluginInstance::PluginInstance(Private, std::shared_ptr<const PluginLibrary> library,
                               std::shared_ptr<const HostEnvironment> env)
    : library_(std::move(library)), env_(std::move(env)) {}

PluginInstance::~PluginInstance() {
  if (instance_ != nullptr) library_->descriptor().destroy(instance_);
}

std::shared_ptr<PluginInstance> PluginInstance::create(std::shared_ptr<const PluginLibrary> library,
                                                       std::shared_ptr<const HostEnvironment> env,
                                                       const std::string& configJson) {
  if (!env) env = std::make_shared<HostEnvironment>();
  installCrashReport();
  auto self = std::make_shared<PluginInstance>(Private{}, library, env);
  maasprov_call call;
  call.pluginName = library->name();
  call.env = env;
  ResultBuffers buffers(env->maxDocumentBytes);
  const std::string config = configJson.empty() ? "{}" : configJson;
  int32_t rc = MAASPROV_FAILED;
  try {
    rc = library->descriptor().create(&call, {config.data(), config.size()}, &self->instance_,
                                      &buffers.result);
  } catch (...) {  // only a broken C++ plugin gets here: an exception crossed the C ABI
    throw PluginLoadError(library->file().string(), "create() let an exception escape");
  }
  if (rc != MAASPROV_OK) {
    self->instance_ = nullptr;  // nothing to destroy after a failed create
    std::string why =
        rc == MAASPROV_FAILED
            ? std::string(errorTypeName(errorTypeFromAbi(buffers.result.error_type))) + ": " +
                  buffers.message.text
            : "returned code " + std::to_string(rc);
    throw PluginLoadError(library->file().string(),
                          "plugin '" + library->name() + "' refused to start: " + validUtf8(why));
  }
  return self;
}

CallOutcome PluginInstance::reconcile(const std::string& request, const CallOptions& options) {
  return invoke(Op::Reconcile, request, options);
}

CallOutcome PluginInstance::remove(const std::string& request, const CallOptions& options) {
  return invoke(Op::Remove, request, options);
}

CallOutcome PluginInstance::describe(const CallOptions& options) {
  if (!library_->hasDescribe()) {
    CallOutcome out;
    out.document = Poco::makeShared<Poco::JSON::Object>();
    return out;
  }
  return invoke(Op::Describe, "", options);
}

CallOutcome PluginInstance::invoke(Op op, const std::string& request, const CallOptions& options) {
  auto call = std::make_shared<maasprov_call>();
  call->pluginName = library_->name();
  call->objectKey = options.objectKey;
  call->env = env_;
  call->checkpoint = options.checkpoint;
  call->machines = options.machines;
  call->cancel = options.cancel ? options.cancel : std::make_shared<std::atomic<bool>>(false);
  if (options.timeout.count() <= 0) return withValidText(invokeHere(op, request, call));

  call->deadline = std::chrono::steady_clock::now() + options.timeout;
  // The call thread owns copies of everything it touches, so abandoning it is safe.
  struct Pending {
    std::promise<CallOutcome> promise;
    CallOutcome outcome;
  };
  auto pending = std::make_shared<Pending>();
  std::future<CallOutcome> future = pending->promise.get_future();
  CallThreads::shared().run([self = shared_from_this(), op, request, call,
                             pending] { pending->outcome = self->invokeHere(op, request, call); },
                            [pending] { pending->promise.set_value(std::move(pending->outcome)); });
  // A caller's cancel flag is a bare atomic that nobody signals, so it is checked in short
  // slices; without one, the wait ends only at the result or the deadline.
  const auto slice = options.cancel ? std::chrono::steady_clock::duration(kCancelCheck)
                                    : std::chrono::steady_clock::duration::max();
  bool cancelled = false;
  while (true) {
    const auto left = call->deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) break;
    if (future.wait_for(std::min(left, slice)) == std::future_status::ready) {
      return withValidText(future.get());
    }
    if (call->cancel->load()) {
      cancelled = true;
      break;
    }
  }
  call->cancel->store(true);
  CallOutcome out;
  out.timedOut = !cancelled;
  PluginFailure f;
  f.type = ErrorType::Transient;
  f.retryable = true;
  f.message = "plugin '" + library_->name() + "' " +
              (cancelled ? std::string("was cancelled during ") + opName(static_cast<int>(op)) +
                               "; the call was abandoned"
                         : std::string("did not return from ") + opName(static_cast<int>(op)) +
                               " within " + std::to_string(options.timeout.count()) +
                               " ms; the call was abandoned and cancelled");
  out.error = f;
  {
    std::lock_guard<std::mutex> lock(call->mutex);
    out.maasCalls = call->maasCalls;
    out.checkpoints = call->checkpoints;
  }
  spdlog::warn("[plugin {}] {}: {}", library_->name(), options.objectKey, f.message);
  return out;
}

CallOutcome PluginInstance::invokeHere(Op op, const std::string& request,
                                       const std::shared_ptr<maasprov_call>& call) {
  const auto& d = library_->descriptor();
  const char* what = opName(static_cast<int>(op));
  const std::string who = "plugin '" + library_->name() + "' " + what;
  ResultBuffers buffers(env_->maxDocumentBytes);
  maasprov_str req{request.data(), request.size()};
  int32_t rc = MAASPROV_FAILED;
  CallOutcome out;
  try {
    const InFlight inFlight(who + " " + call->objectKey);
    switch (op) {
      case Op::Reconcile:
        rc = d.reconcile(instance_, call.get(), req, &buffers.result);
        break;
      case Op::Remove:
        rc = d.remove(instance_, call.get(), req, &buffers.result);
        break;
      case Op::Describe:
        rc = d.describe(instance_, call.get(), &buffers.result);
        break;
    }
  } catch (...) {
    out.error = internal(who + " let an exception escape through the C ABI");
    return out;
  }
  {
    std::lock_guard<std::mutex> lock(call->mutex);
    out.maasCalls = call->maasCalls;
    out.checkpoints = call->checkpoints;
  }
  if (buffers.document.overflowed) {
    out.error = internal(who + " returned a result larger than the host's limit of " +
                         std::to_string(env_->maxDocumentBytes) + " bytes");
    return out;
  }
  if (rc == MAASPROV_OK) {
    if (buffers.document.text.empty()) {
      out.error = internal(who + " returned OK without a result document");
      return out;
    }
    try {
      applyDocument(parseDocument(buffers.document.text), out);
    } catch (const std::exception& e) {
      out.status = nullptr;  // nothing half-parsed reaches the caller
      out.document = nullptr;
      out.requeueAfter.reset();
      out.done = false;
      out.error = internal(who + " returned an invalid result: " + e.what());
    }
    return out;
  }
  if (rc != MAASPROV_FAILED) {
    out.error = internal(who + " returned unexpected code " + std::to_string(rc));
    return out;
  }
  PluginFailure f;
  if (buffers.result.error_type == MAASPROV_ERROR_NONE) {
    f = internal(who + " reported a failure without an error type");
  } else {
    f.type = errorTypeFromAbi(buffers.result.error_type);
    f.message =
        buffers.message.text.empty() ? "(the plugin gave no message)" : buffers.message.text;
    f.host = buffers.host.text;
    f.retryable = buffers.result.retryable != 0;
    f.requeueAfter =
        std::chrono::milliseconds(std::max<int64_t>(0, buffers.result.requeue_after_ms));
  }
  if (!buffers.document.text.empty()) {
    try {
      applyDocument(parseDocument(buffers.document.text), out);
    } catch (const std::exception& e) {
      out.status = nullptr;
      f.message += " (its status document was ignored: " + std::string(e.what()) + ")";
    }
  }
  out.error = f;
  return out;
}

}  // namespace maasprov::plugin
