/*
 * maasprov plugin ABI, versions 1 and 2: the only thing that crosses the boundary between the host
 * (maasprovd, maasprov-plugin-check) and a plugin shared object.
 *
 * This header is a public, stable contract. C99; it includes nothing but <stdint.h> and
 * <stddef.h>. Rules that keep it stable (see docs/plugin-authoring.md, "ABI rules"):
 *   - Every struct that crosses starts with `struct_size`, set by the side that allocates it.
 *     Structs only grow by appending fields at their end; a reader never touches a field that
 *     lies beyond the `struct_size` it was given (use MAASPROV_HAS_FIELD).
 *   - No field, constant or function is ever removed, reordered or changes meaning within a major
 *     ABI version. A new ABI version is negotiated, never assumed.
 *   - Integer constants are #defines on fixed-width integer fields, never C enums, so their size
 *     does not depend on the compiler.
 *   - Data crosses as UTF-8 JSON documents with explicit lengths (not NUL-terminated unless a
 *     comment says so). No C++ type, exception, std::string or RTTI ever crosses. A C++ plugin
 *     must catch every exception before it reaches a function of this ABI.
 *
 * OWNERSHIP notes on every pointer say who owns the memory and how long it stays valid:
 *   "borrowed"  - owned by the caller; valid only for the duration of the call. Copy it if you
 *                 need it later.
 *   "static"    - owned by the plugin; valid from the entry call until the library is unloaded
 *                 (the host never unloads a library while an instance of it lives).
 *   Results never transfer ownership: the receiver hands the producer a maasprov_sink and the
 *   producer appends bytes to it, so every buffer is freed by the side that allocated it.
 *
 * THREAD-SAFETY labels (after CLAP):
 *   [main-thread]      called by the host's loading thread, never concurrently with anything
 *                      else on the same library.
 *   [instance-thread]  never concurrently with any other call on the same instance.
 *   [any-thread]       may be called concurrently from several host worker threads, on the same
 *                      instance, for *different* objects. The host never runs two calls for the
 *                      same object (same namespace/name) at once.
 *   [thread-safe]      host services: callable from any thread at any time during a call.
 */
#ifndef MAASPROV_PLUGIN_ABI_H
#define MAASPROV_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions ------------------------------------------------------------------------------ */

/* ABI versions are single integers. The host offers a range, the plugin picks one inside it. */
#define MAASPROV_ABI_VERSION_1 1u
/* v2: request documents leave "machines" out; the plugin asks for them (cluster_machines). */
#define MAASPROV_ABI_VERSION_2 2u
#define MAASPROV_ABI_VERSION_CURRENT MAASPROV_ABI_VERSION_2

/* The one symbol a plugin exports (extern "C", default visibility). */
#define MAASPROV_PLUGIN_ENTRY_SYMBOL "maasprov_plugin_entry"

/* True when a struct whose first field says it is `size` bytes long contains FIELD. */
#define MAASPROV_HAS_FIELD(size, type, field) \
  ((size_t)(size) >= offsetof(type, field) + sizeof(((type*)0)->field))

/* ---- Status codes returned by functions of this ABI ---------------------------------------- */

#define MAASPROV_OK 0                /* success; outputs are filled */
#define MAASPROV_FAILED 1            /* the operation failed; maasprov_result error fields say why */
#define MAASPROV_E_VERSION 2         /* entry: no ABI version in the offered range is spoken */
#define MAASPROV_E_INIT 3            /* entry: plugin-wide initialisation failed */
#define MAASPROV_E_INVALID_ARGUMENT 4 /* a pointer was NULL, a struct too small, a field malformed */
#define MAASPROV_E_TRANSPORT 5       /* host maas_call: no HTTP response could be had at all */
#define MAASPROV_E_CANCELLED 6       /* host: the call's deadline passed or the host is stopping */
#define MAASPROV_E_CHECKPOINT 7      /* host checkpoint: the status could not be stored durably */
#define MAASPROV_E_TOO_LARGE 8       /* sink: the receiver refuses more bytes (size limit) */
#define MAASPROV_E_UNSUPPORTED 9     /* the host or plugin does not offer this operation */

/* ---- Borrowed strings and byte sinks --------------------------------------------------------- */

/* A UTF-8 string with explicit length. OWNERSHIP: borrowed. `data` may be NULL when size is 0. */
typedef struct maasprov_str {
  const char* data;
  size_t size;
} maasprov_str;

/* A key/value pair, e.g. one form parameter. Keys may repeat (tags=a, tags=b). Borrowed. */
typedef struct maasprov_kv {
  maasprov_str key;
  maasprov_str value;
} maasprov_kv;

/*
 * A receiver-owned byte buffer the producer appends to. The receiver allocates and frees the
 * storage; the producer calls append() zero or more times; the bytes are concatenated.
 * append() returns MAASPROV_OK, or MAASPROV_E_TOO_LARGE when the receiver's limit is exceeded
 * (the producer should then stop and fail). OWNERSHIP: the sink itself is borrowed for the
 * duration of the call it was passed to; `context` is opaque to the producer.
 * THREAD-SAFETY: a sink is used by one thread at a time.
 */
typedef struct maasprov_sink {
  size_t struct_size;
  void* context;
  int32_t (*append)(void* context, const char* data, size_t size);
} maasprov_sink;

/* ---- Errors --------------------------------------------------------------------------------- */

/* maasprov_result.error_type values. Unknown values are treated by the host as INTERNAL. */
#define MAASPROV_ERROR_NONE 0
#define MAASPROV_ERROR_HOST_UNAVAILABLE 1      /* a VM host / MAAS node cannot be used now */
#define MAASPROV_ERROR_INSUFFICIENT_RESOURCES 2 /* nothing can hold what the spec asks for */
#define MAASPROV_ERROR_PROFILE_NOT_FOUND 3
#define MAASPROV_ERROR_PROJECT_NOT_FOUND 4
#define MAASPROV_ERROR_VM_CREATION_FAILED 5
#define MAASPROV_ERROR_VM_DEPLOYMENT_FAILED 6
#define MAASPROV_ERROR_INVALID_SPEC 7           /* the object's spec can never work as written */
#define MAASPROV_ERROR_TRANSIENT 8              /* try again later (MAAS busy, timeouts, ...) */
#define MAASPROV_ERROR_INTERNAL 9               /* a bug or unexpected state in the plugin */

/*
 * The outcome of create/reconcile/remove/describe. Allocated by the HOST (which sets
 * struct_size and the three sinks); filled by the PLUGIN.
 *
 * On MAASPROV_OK the plugin has appended one JSON document to `document` (see each function).
 * On MAASPROV_FAILED the plugin has set error_type (non-zero), retryable and
 * requeue_after_ms, appended a message to `error_message`, and the name of the MAAS host / VM
 * host involved (if any) to `error_host`. It MAY also have appended a result document to
 * `document` whose "status" the host still applies (e.g. a condition naming the shortfall).
 */
typedef struct maasprov_result {
  size_t struct_size;
  maasprov_sink document;
  int32_t error_type;
  int32_t retryable;        /* 1: the host should retry (with backoff); 0: terminal until the
                               object's spec changes */
  int64_t requeue_after_ms; /* suggested delay before the retry; 0 = host's default backoff */
  maasprov_sink error_message; /* UTF-8 text, one line, for users */
  maasprov_sink error_host;    /* UTF-8 text; empty when no host is involved */
} maasprov_result;

/* ---- Host services (plugin -> host) ---------------------------------------------------------- */

/*
 * Identifies one host->plugin call (one reconcile of one object, one create, ...). Opaque to the
 * plugin; it passes the pointer it was given back to host services so that logs and MAAS calls
 * are attributed to the object and can be cancelled. OWNERSHIP: borrowed; valid until the
 * plugin function that received it returns. Never store it, never use it from a thread that
 * outlives that call.
 */
typedef struct maasprov_call maasprov_call;

#define MAASPROV_LOG_TRACE 0
#define MAASPROV_LOG_DEBUG 1
#define MAASPROV_LOG_INFO 2
#define MAASPROV_LOG_WARN 3
#define MAASPROV_LOG_ERROR 4

/* maasprov_maas_request.flags */
#define MAASPROV_MAAS_IDEMPOTENT 1u /* repeating the request is harmless; the host may retry it
                                       after a timeout or reset (GETs always are) */

/* One MAAS API call. Allocated and owned by the PLUGIN; every pointer in it is borrowed. */
typedef struct maasprov_maas_request {
  size_t struct_size;
  maasprov_str method;         /* "GET", "POST", "PUT" or "DELETE" */
  maasprov_str path;           /* relative to the API root (.../api/2.0/), e.g. "machines/" */
  maasprov_str op;             /* MAAS operation (?op=...); empty for plain REST calls */
  const maasprov_kv* params;   /* query for GET/DELETE, form body for POST/PUT; may repeat keys */
  size_t param_count;
  uint32_t flags;              /* MAASPROV_MAAS_* */
} maasprov_maas_request;

/* Receives one response header. Borrowed strings; valid only during the callback. */
typedef void (*maasprov_header_fn)(void* context, maasprov_str name, maasprov_str value);

/*
 * Where the host writes MAAS's answer. Allocated and owned by the PLUGIN. The host sets
 * http_status, calls on_header (if not NULL) once per header, and appends the body to `body`.
 */
typedef struct maasprov_maas_response {
  size_t struct_size;
  int32_t http_status;          /* set by host when maas_call returns MAASPROV_OK */
  maasprov_sink body;
  void* header_context;
  maasprov_header_fn on_header; /* may be NULL: headers are dropped */
  maasprov_sink error_message;  /* host appends the reason for MAASPROV_E_TRANSPORT etc. */
} maasprov_maas_response;

/*
 * The host's services. Allocated by the HOST, OWNERSHIP static from the plugin's point of view:
 * valid from the entry call until the library is unloaded. Read only the fields within
 * struct_size; the table grows by appending. Every function is [thread-safe].
 */
typedef struct maasprov_host_services {
  size_t struct_size;
  uint32_t abi_version; /* newest ABI version whose fields this table holds */

  /* 1 if a message at `level` would be recorded; use it to skip building expensive messages. */
  int32_t (*log_enabled)(maasprov_call* call, int32_t level);
  /* Records one log line. `call` may be NULL outside a call (line then has no object). */
  void (*log)(maasprov_call* call, int32_t level, maasprov_str message);

  /*
   * Performs one MAAS API call with the host's credentials. Returns MAASPROV_OK when MAAS
   * answered (whatever the HTTP status), MAASPROV_E_TRANSPORT when no answer could be had after
   * the host's own bounded retries, MAASPROV_E_CANCELLED when the call's deadline has passed,
   * MAASPROV_E_TOO_LARGE when a sink refused the body, MAASPROV_E_INVALID_ARGUMENT for a NULL
   * or undersized argument. `call` must be the pointer of the current call (not NULL).
   */
  int32_t (*maas_call)(maasprov_call* call, const maasprov_maas_request* request,
                       maasprov_maas_response* response);

  /* Monotonic clock in nanoseconds; only differences are meaningful. */
  int64_t (*monotonic_ns)(void);

  /*
   * Durably stores a partial status for the object being reconciled, NOW: when this returns
   * MAASPROV_OK the status survives a crash of the host. `status_json` is a JSON object merged
   * into the object's status (top-level keys replace). Call it right after an irreversible step
   * (e.g. MAAS allocated a machine) and before anything else can fail. Any other return value
   * (MAASPROV_E_CHECKPOINT, MAASPROV_E_CANCELLED, MAASPROV_E_UNSUPPORTED outside a reconcile)
   * means the status was NOT stored: the plugin must stop and fail (retryably) without further
   * changes to MAAS.
   */
  int32_t (*checkpoint)(maasprov_call* call, maasprov_str status_json);

  /* 1 when the call should stop as soon as possible (deadline passed, host shutting down). */
  int32_t (*cancelled)(maasprov_call* call);

  /* ABI v1 ends here. Later versions append fields after this line. */

  /*
   * ABI v2. Appends the JSON array of the other MaasMachines of the object's cluster (the
   * summaries described under "machines" below) to `machines`. A v2 request document leaves
   * "machines" out: the array grows with the cluster (a cluster of 1,000 machines sends about
   * 450 KB), and most calls never read it. It answers the array as it was when the plugin call
   * began, the same each time; call it once per plugin call and keep the answer. Returns
   * MAASPROV_OK; MAASPROV_E_UNSUPPORTED outside reconcile/remove (or when the host cannot list
   * them); MAASPROV_E_TOO_LARGE when the sink refused the bytes; MAASPROV_E_INVALID_ARGUMENT for
   * a NULL or undersized argument. [thread-safe]
   */
  int32_t (*cluster_machines)(maasprov_call* call, const maasprov_sink* machines);

  /* ABI v2 ends here. Later versions append fields after this line. */
} maasprov_host_services;

/* ---- Plugin descriptor (plugin -> host) ------------------------------------------------------ */

#define MAASPROV_KIND_MACHINE_PROVISIONER 1       /* serves MaasMachine provisioningMode values */
#define MAASPROV_KIND_CLUSTER_ENDPOINT_PROVIDER 2 /* gives MaasClusters their endpoint (DNS) */

/* An instance created by create(); opaque to the host. */
typedef struct maasprov_instance maasprov_instance;

/*
 * Everything the host needs to know about a plugin. OWNERSHIP: static (the plugin keeps it
 * alive, usually as a global constant). Every string is NUL-terminated UTF-8.
 *
 * Request documents (JSON object, UTF-8, passed as a borrowed maasprov_str):
 *   reconcile/remove:
 *     {"object":   <the MaasMachine (provisioner) or MaasCluster (endpoint provider), with
 *                   apiVersion, kind, metadata, spec and the status as last stored>,
 *      "cluster":  <the MaasCluster the object belongs to; for a MaasCluster, the object again>,
 *      "userData": "<base64 cloud-init user data>"        (absent when none is available yet),
 *      "machines": [<summaries of the other MaasMachines of the same cluster: apiVersion,
 *                    kind, metadata {name, namespace, uid, labels, deletionTimestamp},
 *                    spec {provisioningMode}, status {ready, systemID, providerID,
 *                    failureDomain, lxdHost, machineState, machinePowered, addresses}>]
 *                   (ABI v1 only; from v2 on the host answers the same array through
 *                   maasprov_host_services.cluster_machines instead),
 *      "observed": <optional: the object's MAAS machine as MAAS renders GET machines/{id}/,
 *                   read by the host's poller moments before this call; a plugin may use it
 *                   instead of reading the machine again>}
 * Result documents (appended to maasprov_result.document):
 *   reconcile:  {"status": {<status fields to set; top-level keys replace>},
 *                "requeueAfterSeconds": <n, optional: reconcile again after n seconds>,
 *                "machineStatus": {<machine name>: {<status patch for that machine>}, ...}}
 *               machineStatus (optional, cluster endpoint providers only): the host applies
 *               each patch to the named MaasMachine of this cluster, never to the cluster; it
 *               is also accepted inside "status" (where the C++ SDK's Result carries it).
 *   remove:     {"status": {...optional...}, "done": <true once nothing is left in MAAS;
 *                the host removes its finalizer only then>, "requeueAfterSeconds": <n>}
 *   describe:   any JSON object (health, counters, configuration summary).
 *   create:     nothing (document unused).
 */
typedef struct maasprov_plugin_descriptor {
  size_t struct_size;
  const char* name;    /* unique, [a-z0-9-]+, e.g. "baremetal" */
  const char* version; /* the plugin's own version, e.g. "1.2.0" */
  int32_t kind;        /* MAASPROV_KIND_* */
  const char* const* modes; /* provisioningMode values served (provisioners: at least one) */
  size_t mode_count;

  /*
   * [instance-thread] Creates an instance from `config_json` (a JSON object from the host's
   * configuration for this plugin; "{}" when none). On MAASPROV_OK *instance is set (may be
   * NULL if the plugin needs no state). On MAASPROV_FAILED, `result` says why.
   */
  int32_t (*create)(maasprov_call* call, maasprov_str config_json, maasprov_instance** instance,
                    maasprov_result* result);
  /* [any-thread] Moves the object towards its spec; see the request/result documents above. */
  int32_t (*reconcile)(maasprov_instance* instance, maasprov_call* call,
                       maasprov_str request_json, maasprov_result* result);
  /* [any-thread] Releases what the object holds; called until the result says "done". */
  int32_t (*remove)(maasprov_instance* instance, maasprov_call* call, maasprov_str request_json,
                    maasprov_result* result);
  /* [any-thread] OPTIONAL (may be NULL): health and summary as a JSON object. */
  int32_t (*describe)(maasprov_instance* instance, maasprov_call* call, maasprov_result* result);
  /* [instance-thread] Frees the instance; no call on it is running or will run. */
  void (*destroy)(maasprov_instance* instance);

  /* ABI v1 ends here. Later versions append fields after this line. */
} maasprov_plugin_descriptor;

/* ---- Negotiation: the entry point ------------------------------------------------------------ */

/*
 * Allocated and owned by the HOST. The host sets struct_size, min_version, max_version, host and
 * refusal; the plugin sets abi_version and descriptor.
 */
typedef struct maasprov_negotiation {
  size_t struct_size;
  uint32_t min_version; /* oldest ABI version the host speaks */
  uint32_t max_version; /* newest ABI version the host speaks */
  /* OWNERSHIP static (see maasprov_host_services): keep the pointer for later calls. */
  const maasprov_host_services* host;
  maasprov_sink refusal; /* plugin appends a one-line reason when it returns an error */

  uint32_t abi_version; /* plugin: the version it speaks, within [min_version, max_version] */
  const maasprov_plugin_descriptor* descriptor; /* plugin: OWNERSHIP static */

  /* ABI v1 ends here. Later versions append fields after this line. */
} maasprov_negotiation;

/*
 * [main-thread] The exported entry point, called once per load. Returns MAASPROV_OK with
 * abi_version and descriptor set; MAASPROV_E_VERSION when no version in [min, max] is spoken;
 * MAASPROV_E_INIT when plugin-wide initialisation failed. On error, a reason goes to `refusal`.
 * It must not call host services other than log (with a NULL call) and monotonic_ns.
 */
typedef int32_t (*maasprov_plugin_entry_fn)(maasprov_negotiation* negotiation);

/* Marks the entry point exported even when the plugin builds with hidden visibility. */
#if defined(__GNUC__) || defined(__clang__)
#define MAASPROV_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define MAASPROV_PLUGIN_EXPORT
#endif

/* The entry point every plugin defines (exactly this signature). */
MAASPROV_PLUGIN_EXPORT int32_t maasprov_plugin_entry(maasprov_negotiation* negotiation);

#ifdef __cplusplus
}
#endif

#endif /* MAASPROV_PLUGIN_ABI_H */
