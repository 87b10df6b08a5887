#include "framework/controller/reconcile_context.hpp"

#include <algorithm>
#include <stdexcept>

#include "framework/controller/status_writer.hpp"
#include "framework/maas/endpoint_label.hpp"
#include "framework/model/time.hpp"

namespace maasprov::controller {

std::string queueKey(const std::string& kind, const std::string& ns, const std::string& name) {
  return kind + "/" + ns + "/" + name;
}

store::ObjectKey parseQueueKey(const std::string& key) {
  auto first = key.find('/');
  auto second = first == std::string::npos ? first : key.find('/', first + 1);
  if (second == std::string::npos) throw std::invalid_argument("bad queue key '" + key + "'");
  return {key.substr(0, first), key.substr(first + 1, second - first - 1), key.substr(second + 1)};
}

void StoreGate::checkpoint(const store::ObjectKey& key, Json patch, LatestObject* latest) {
  std::shared_lock lock(mutex_);
  if (store_ == nullptr) throw std::runtime_error("the controller is stopping");
  auto written = writeWithRetry(
      *store_, key, WritePart::Status,
      // A checkpoint of what the object already says (the plugin records the machine it found
      // on every reconcile) writes nothing.
      [&](Json obj) { return mergeStatus(ensureStatus(obj), patch, model::now()); }, 10,
      latest ? latest->take() : nullptr);
  if (!written) throw std::runtime_error(key.toString() + " no longer exists");
  if (latest) latest->put(written);
}

void StoreGate::close() {
  std::unique_lock lock(mutex_);
  store_ = nullptr;
}

void recordMaasCalls(const ReconcileContext& ctx, const std::string& plugin,
                     const store::ObjectKey& key, const plugin::CallOutcome& outcome) {
  if (ctx.metrics == nullptr || outcome.maasCalls.empty()) return;
  for (const auto& call : outcome.maasCalls) {
    std::string endpoint = maas::endpointLabel(maas::Request{call.method, call.path, call.op, {}});
    ctx.metrics->pluginMaasRequests.inc({plugin, endpoint, std::to_string(call.status)});
  }
  if (key.kind == "MaasMachine") {
    ctx.metrics->machineMaasRequests.inc({key.ns, key.name},
                                         static_cast<double>(outcome.maasCalls.size()));
  }
}

ReconcileOutcome nextFromOutcome(const plugin::CallOutcome& outcome,
                                 std::optional<std::chrono::milliseconds> fallback) {
  if (outcome.error) {
    const auto& e = *outcome.error;
    if (e.requeueAfter.count() > 0) return ReconcileOutcome::requeue(e.requeueAfter, "error");
    if (e.retryable) return ReconcileOutcome::backoff("error");
    return ReconcileOutcome::done("error");
  }
  if (outcome.requeueAfter) {
    return ReconcileOutcome::requeue(
        std::chrono::duration_cast<std::chrono::milliseconds>(*outcome.requeueAfter));
  }
  if (fallback) return ReconcileOutcome::requeue(*fallback);
  return ReconcileOutcome::done();
}

std::string printable(const std::string& text, std::size_t limit) {
  std::string out;
  out.reserve(std::min(text.size(), limit));
  for (std::size_t i = 0; i < text.size() && out.size() < limit; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      continue;
    }
    // Keep well-formed multi-byte UTF-8 sequences; anything else becomes '?'.
    std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (ok) {
      out.append(text, i, len);
      i += len - 1;
    } else {
      out += '?';
    }
  }
  if (text.size() > out.size() && out.size() >= limit) out += "...";
  return out;
}

std::string describeFailure(const plugin::PluginFailure& f) {
  std::string text = std::string(plugin::errorTypeName(f.type)) + ": " + f.message;
  if (!f.host.empty()) text += " (host " + f.host + ")";
  return printable(text);
}

}  // namespace maasprov::controller
