/* A plugin built against the FROZEN v1 header only (tests/abi/v1), in plain C99, the way a
 * third party's v1 plugin was built years ago. It must load and pass maasprov-plugin-check in
 * every future host.
 *
 * Behaviour: provisioningMode "abi-v1". reconcile checks that spec.minCPU is a positive number
 * (a deliberately small textual check: a C plugin without a JSON library), asks MAAS for its
 * version through the host, stores a checkpoint, and reports what it saw. remove is done at once.
 */
#include <stdio.h>
#include <string.h>

#include "maasprov/plugin_abi.h"

static const maasprov_host_services* g_host;

static void put(const maasprov_sink* sink, const char* text) {
  if (sink->append != NULL) sink->append(sink->context, text, strlen(text));
}

static int32_t fail(maasprov_result* r, int32_t type, int32_t retryable, const char* message) {
  r->error_type = type;
  r->retryable = retryable;
  r->requeue_after_ms = retryable ? 30000 : 0;
  put(&r->error_message, message);
  return MAASPROV_FAILED;
}

/* True when the request has "minCPU": followed by a digit 1-9. */
static int has_positive_min_cpu(maasprov_str request) {
  static const char key[] = "\"minCPU\":";
  size_t n = sizeof key - 1;
  size_t i;
  for (i = 0; i + n < request.size; ++i) {
    if (memcmp(request.data + i, key, n) == 0) {
      size_t j = i + n;
      while (j < request.size && request.data[j] == ' ') ++j;
      return j < request.size && request.data[j] >= '1' && request.data[j] <= '9';
    }
  }
  return 0;
}

typedef struct {
  char body[256];
  size_t size;
} small_buffer;

static int32_t keep_prefix(void* ctx, const char* data, size_t size) {
  small_buffer* b = (small_buffer*)ctx;
  size_t room = sizeof b->body - 1 - b->size;
  size_t take = size < room ? size : room;
  memcpy(b->body + b->size, data, take);
  b->size += take;
  b->body[b->size] = '\0';
  return MAASPROV_OK;
}

static int32_t create(maasprov_call* call, maasprov_str config, maasprov_instance** instance,
                      maasprov_result* result) {
  (void)config;
  (void)result;
  g_host->log(call, MAASPROV_LOG_DEBUG, (maasprov_str){"abi-v1 instance created", 23});
  *instance = NULL;
  return MAASPROV_OK;
}

static int32_t reconcile(maasprov_instance* instance, maasprov_call* call, maasprov_str request,
                         maasprov_result* result) {
  maasprov_maas_request req;
  maasprov_maas_response resp;
  small_buffer body = {{0}, 0};
  small_buffer error = {{0}, 0};
  char status[128];
  int32_t rc;
  (void)instance;
  if (!has_positive_min_cpu(request)) {
    return fail(result, MAASPROV_ERROR_INVALID_SPEC, 0, "spec.minCPU: expected a positive integer");
  }
  memset(&req, 0, sizeof req);
  req.struct_size = sizeof req;
  req.method = (maasprov_str){"GET", 3};
  req.path = (maasprov_str){"version/", 8};
  req.flags = MAASPROV_MAAS_IDEMPOTENT;
  memset(&resp, 0, sizeof resp);
  resp.struct_size = sizeof resp;
  resp.body = (maasprov_sink){sizeof(maasprov_sink), &body, keep_prefix};
  resp.error_message = (maasprov_sink){sizeof(maasprov_sink), &error, keep_prefix};
  rc = g_host->maas_call(call, &req, &resp);
  if (rc != MAASPROV_OK) return fail(result, MAASPROV_ERROR_TRANSIENT, 1, "MAAS unreachable");
  if (resp.http_status != 200) {
    return fail(result, MAASPROV_ERROR_TRANSIENT, 1, "MAAS did not answer version/ with 200");
  }
  snprintf(status, sizeof status, "{\"maasVersionBytes\": %u}", (unsigned)body.size);
  if (g_host->checkpoint(call, (maasprov_str){status, strlen(status)}) != MAASPROV_OK) {
    return fail(result, MAASPROV_ERROR_TRANSIENT, 1, "checkpoint refused; stopping");
  }
  put(&result->document, "{\"status\": ");
  put(&result->document, status);
  put(&result->document, "}");
  return MAASPROV_OK;
}

static int32_t remove_(maasprov_instance* instance, maasprov_call* call, maasprov_str request,
                       maasprov_result* result) {
  (void)instance;
  (void)call;
  (void)request;
  put(&result->document, "{\"done\": true}");
  return MAASPROV_OK;
}

static int32_t describe(maasprov_instance* instance, maasprov_call* call, maasprov_result* result) {
  (void)instance;
  (void)call;
  put(&result->document, "{\"abi\": 1}");
  return MAASPROV_OK;
}

static void destroy(maasprov_instance* instance) {
  (void)instance;
}

static const char* const kModes[] = {"abi-v1"};
static const maasprov_plugin_descriptor kDescriptor = {sizeof(maasprov_plugin_descriptor),
                                                       "abi-v1",
                                                       "1.0.0",
                                                       MAASPROV_KIND_MACHINE_PROVISIONER,
                                                       kModes,
                                                       1,
                                                       create,
                                                       reconcile,
                                                       remove_,
                                                       describe,
                                                       destroy};

MAASPROV_PLUGIN_EXPORT int32_t maasprov_plugin_entry(maasprov_negotiation* n) {
  if (n == NULL || n->struct_size < sizeof *n) return MAASPROV_E_INVALID_ARGUMENT;
  if (n->min_version > MAASPROV_ABI_VERSION_1 || n->max_version < MAASPROV_ABI_VERSION_1) {
    put(&n->refusal, "abi-v1 speaks ABI version 1 only");
    return MAASPROV_E_VERSION;
  }
  g_host = n->host;
  n->abi_version = MAASPROV_ABI_VERSION_1;
  n->descriptor = &kDescriptor;
  return MAASPROV_OK;
}
