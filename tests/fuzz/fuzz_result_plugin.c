/* The fuzz driver plugin of fuzz_plugin_result: it answers every call with the bytes it was
 * given, so the fuzzer drives what a plugin can hand the host. The request is split at NULs:
 *   document NUL error-message NUL error-host NUL code error_type retryable requeue_seconds
 * Missing parts are empty; without the control bytes the call returns MAASPROV_OK (so a JSON
 * file is a seed as it is). code & 3: 0 OK, 1 FAILED, 2 OK, 3 the byte itself (unknown codes).
 * Written against the raw C ABI, as a broken plugin would be. */
#include <string.h>

#include "maasprov/plugin_abi.h"

static void put(const maasprov_sink* sink, const char* data, size_t size) {
  if (size > 0) sink->append(sink->context, data, size);
}

static int32_t create(maasprov_call* call, maasprov_str config, maasprov_instance** instance,
                      maasprov_result* result) {
  (void)call;
  (void)config;
  (void)result;
  *instance = NULL;
  return MAASPROV_OK;
}

static int32_t echo(maasprov_str request, maasprov_result* result) {
  const maasprov_sink* sinks[3] = {&result->document, &result->error_message, &result->error_host};
  const char* rest = request.data;
  size_t left = request.size;
  for (int part = 0; part < 3 && rest != NULL; ++part) {
    const char* end = memchr(rest, '\0', left);
    const size_t n = end != NULL ? (size_t)(end - rest) : left;
    put(sinks[part], rest, n);
    if (end == NULL) return MAASPROV_OK;
    rest = end + 1;
    left -= n + 1;
  }
  const unsigned char* c = (const unsigned char*)rest;
  result->error_type = left > 1 ? c[1] % 12 : MAASPROV_ERROR_NONE; /* some past the known ones */
  result->retryable = left > 2 ? c[2] & 1 : 0;
  result->requeue_after_ms = left > 3 ? (int64_t)(signed char)c[3] * 1000 : 0;
  if (left == 0) return MAASPROV_OK;
  switch (c[0] & 3) {
    case 1:
      return MAASPROV_FAILED;
    case 3:
      return (int32_t)c[0];
    default:
      return MAASPROV_OK;
  }
}

static int32_t reconcile(maasprov_instance* instance, maasprov_call* call, maasprov_str request,
                         maasprov_result* result) {
  (void)instance;
  (void)call;
  return echo(request, result);
}

static int32_t remove_(maasprov_instance* instance, maasprov_call* call, maasprov_str request,
                       maasprov_result* result) {
  (void)instance;
  (void)call;
  return echo(request, result);
}

static void destroy(maasprov_instance* instance) {
  (void)instance;
}

static const char* const kModes[] = {"fuzz-echo"};

static const maasprov_plugin_descriptor kDescriptor = {
    sizeof(maasprov_plugin_descriptor),
    "fuzz-echo",
    "0.0.1",
    MAASPROV_KIND_MACHINE_PROVISIONER,
    kModes,
    1,
    create,
    reconcile,
    remove_,
    NULL,
    destroy,
};

MAASPROV_PLUGIN_EXPORT int32_t maasprov_plugin_entry(maasprov_negotiation* n) {
  if (n->min_version > MAASPROV_ABI_VERSION_1 || n->max_version < MAASPROV_ABI_VERSION_1) {
    return MAASPROV_E_VERSION;
  }
  n->abi_version = MAASPROV_ABI_VERSION_1;
  n->descriptor = &kDescriptor;
  return MAASPROV_OK;
}
