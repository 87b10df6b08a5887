#include "framework/model/time.hpp"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>
#include <Poco/RegularExpression.h>
#include <Poco/Timestamp.h>

#include <string>

namespace maasprov::model {

std::optional<Time> parseTime(std::string_view text) {
  // Poco's parser is lenient about the shape, so the shape is checked first (bounded length
  // keeps matching cheap); Poco then does the calendar arithmetic and range checks.
  static const Poco::RegularExpression kShape(
      R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))");
  if (text.size() > 40) return std::nullopt;
  const std::string input(text);
  if (!kShape.match(input)) return std::nullopt;
  Poco::DateTime parsed;
  int tzd = 0;
  try {
    Poco::DateTimeParser::parse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, input, parsed, tzd);
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
  parsed.makeUTC(tzd);
  const auto micros = parsed.timestamp().epochMicroseconds();
  return std::chrono::floor<std::chrono::seconds>(
      std::chrono::sys_time<std::chrono::microseconds>(std::chrono::microseconds(micros)));
}

std::string formatTime(Time time) {
  const auto seconds = time.time_since_epoch().count();
  return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(seconds),
                                         "%Y-%m-%dT%H:%M:%SZ");
}

Time now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace maasprov::model
