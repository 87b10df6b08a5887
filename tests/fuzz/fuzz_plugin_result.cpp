// libFuzzer target: the host side of the plugin ABI's result path. A driver plugin
// (fuzz_result_plugin.c), loaded by the real loader, hands back the fuzzer's bytes as its result
// document, error message, error host, return code, error type, retryable flag and requeue
// delay; PluginInstance::reconcile and ::remove receive, bound, parse and apply them (status,
// requeueAfterSeconds, done) as they do for every real plugin.
//
// Findings besides crashes, leaks and UB: an outcome the controller could not use as it is: a
// success without a document, a failure without a message, text that is not valid UTF-8, a
// negative delay, or a status that does not print back to parseable, valid-UTF-8 JSON.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "framework/plugin/plugin_instance.hpp"
#include "framework/plugin/plugin_library.hpp"

namespace plugin = maasprov::plugin;

namespace {

bool validUtf8(const std::string& text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
      len = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const unsigned char b = s[i + k];
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
    }
    i += len;
  }
  return true;
}

[[noreturn]] void finding(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_plugin_result: %s: %.500s\n", what, detail.c_str());
  std::abort();
}

void check(const plugin::CallOutcome& out) {
  if (out.ok() && !out.document) finding("a success without a result document", "");
  if (out.error) {
    if (out.error->message.empty()) finding("a failure without a message", "");
    if (!validUtf8(out.error->message)) finding("error message not UTF-8", out.error->message);
    if (!validUtf8(out.error->host)) finding("error host not UTF-8", out.error->host);
  }
  if (out.requeueAfter && out.requeueAfter->count() < 0) finding("a negative requeue delay", "");
  if (out.status) {
    // What the controller does next: print the status, merge it, store it, serve it.
    std::ostringstream printed;
    out.status->stringify(printed);
    try {
      (void)Poco::JSON::Parser().parse(printed.str());
    } catch (const std::exception& e) {
      finding("the status does not print back to JSON", printed.str());
    }
    if (!validUtf8(printed.str())) finding("the status is not valid UTF-8", printed.str());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto instance =
      plugin::PluginInstance::create(plugin::PluginLibrary::load(FUZZ_RESULT_PLUGIN), nullptr);
  plugin::CallOptions options;
  options.objectKey = "default/fuzz";
  const std::string request(reinterpret_cast<const char*>(data), size);
  check(instance->reconcile(request, options));
  check(instance->remove(request, options));
  return 0;
}
