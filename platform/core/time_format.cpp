#include "platform/core/time_format.hpp"

#include <cstdio>
#include <ctime>

namespace hangar {

std::string format_rfc3339_ms(std::int64_t ms_since_epoch) {
  // Floor division, so times before 1970 keep a millisecond part in 0..999.
  std::int64_t seconds = ms_since_epoch / 1000;
  std::int64_t millis = ms_since_epoch % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[80];  // room for any int the compiler thinks tm could hold
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return text;
}

}  // namespace hangar
