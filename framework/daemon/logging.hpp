// maasprovd's logger: spdlog to stderr (journald picks it up under systemd), human-readable
// lines by default or one JSON object per line ({"time","level","logger","msg"}) for log
// shippers. Reconcile lines carry "Kind namespace/name" in their message.
//
// Ownership: returns a shared logger, also installed as spdlog's default so that every layer
// (plugin host, store, MAAS client) logs the same way. Thread-safety: spdlog's _mt sinks.
#pragma once

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace maasprov::daemon {

// `format` is "text" or "json"; `level` one of isLogLevel()'s names.
std::shared_ptr<spdlog::logger> makeLogger(const std::string& format, const std::string& level);

// Changes the level of every registered logger (SIGHUP reload).
void setLogLevel(const std::string& level);

// The JSON-lines formatter (public for tests): escapes the message as a JSON string.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace maasprov::daemon
