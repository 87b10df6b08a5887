#include "framework/daemon/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace maasprov::daemon {
namespace {

void appendEscaped(spdlog::memory_buf_t& dest, std::string_view text) {
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        dest.append(std::string_view("\\\""));
        break;
      case '\\':
        dest.append(std::string_view("\\\\"));
        break;
      case '\n':
        dest.append(std::string_view("\\n"));
        break;
      case '\r':
        dest.append(std::string_view("\\r"));
        break;
      case '\t':
        dest.append(std::string_view("\\t"));
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          dest.append(std::string_view(buf));
        } else {
          dest.push_back(ch);
        }
    }
  }
}

}  // namespace

void JsonFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  using namespace std::chrono;
  auto t = system_clock::to_time_t(msg.time);
  auto ms = duration_cast<milliseconds>(msg.time.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[96];  // roomy enough for any int the compiler imagines
  std::snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  dest.append(std::string_view("{\"time\":\""));
  dest.append(std::string_view(when));
  dest.append(std::string_view("\",\"level\":\""));
  auto level = spdlog::level::to_string_view(msg.level);
  dest.append(std::string_view(level.data(), level.size()));
  dest.append(std::string_view("\",\"logger\":\""));
  appendEscaped(dest, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
  dest.append(std::string_view("\",\"msg\":\""));
  appendEscaped(dest, std::string_view(msg.payload.data(), msg.payload.size()));
  dest.append(std::string_view("\"}\n"));
}

std::unique_ptr<spdlog::formatter> JsonFormatter::clone() const {
  return std::make_unique<JsonFormatter>();
}

std::shared_ptr<spdlog::logger> makeLogger(const std::string& format, const std::string& level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("maasprovd", sink);
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return logger;
}

void setLogLevel(const std::string& level) {
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace maasprov::daemon
