#include "platform/cli/values.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>

#include <nlohmann/json.hpp>

#include "actors/behaviors/behavior.hpp"
#include "platform/botapi/endpoint.hpp"
#include "platform/botapi/proxy_url.hpp"
#include "platform/core/token.hpp"
#include "platform/core/units.hpp"

namespace hangar::cli {
namespace {

// The value as a JSON string: quoted, with control characters escaped, so the error stays on
// one line whatever was typed.
std::string quoted(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return c >= '0' && c <= '9'; });
}

std::optional<unsigned long> whole_number(const std::string& text, unsigned long max) {
  if (!all_digits(text) || text.size() > 19) return std::nullopt;
  const unsigned long value = std::stoul(text);
  if (value > max) return std::nullopt;
  return value;
}

constexpr std::size_t max_name_length = 64;
constexpr std::size_t max_access_token_length = 256;

}  // namespace

void fail(const std::string& source, const std::string& problem) {
  throw UsageError(source + ": " + problem);
}

std::chrono::milliseconds positive_duration(const std::string& source, const std::string& text) {
  auto duration = parse_duration(text);
  if (!duration) fail(source, quoted(text) + " is not a duration (use 250ms, 2s, 10m, 1h30m)");
  if (duration->count() == 0) fail(source, "must be more than 0");
  return *duration;
}

std::uint64_t positive_size(const std::string& source, const std::string& text) {
  auto size = parse_size(text);
  if (!size)
    fail(source, quoted(text) + " is not a size (use bytes, or a number with KiB, MiB or GiB)");
  if (*size == 0) fail(source, "must be more than 0");
  return *size;
}

unsigned positive_count(const std::string& source, const std::string& text) {
  auto value = whole_number(text, std::numeric_limits<unsigned>::max());
  if (!value || *value == 0) fail(source, quoted(text) + " is not a whole number above 0");
  return static_cast<unsigned>(*value);
}

double positive_rate(const std::string& source, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const double value = text.empty() ? 0 : std::strtod(text.c_str(), &end);
  if (text.empty() || errno != 0 || *end != '\0' || !std::isfinite(value) || value <= 0)
    fail(source, quoted(text) + " is not a number above 0");
  return value;
}

namespace {
// "N/DURATION", both more than zero.
std::optional<RateLimit> count_per_duration(const std::string& text) {
  const auto slash = text.find('/');
  const auto count = whole_number(text.substr(0, slash), std::numeric_limits<unsigned>::max());
  const auto period =
      slash == std::string::npos ? std::nullopt : parse_duration(text.substr(slash + 1));
  if (!count || *count == 0 || !period || period->count() == 0) return std::nullopt;
  return RateLimit{static_cast<unsigned>(*count), *period};
}
}  // namespace

RestartIntensity restart_intensity(const std::string& source, const std::string& text) {
  const auto parsed = count_per_duration(text);
  if (!parsed) fail(source, quoted(text) + " is not RESTARTS/DURATION (like 5/60s)");
  return RestartIntensity{parsed->count, parsed->period};
}

FloodLimits flood_limits(const std::string& source, const std::string& text) {
  FloodLimits limits;
  if (text == "on") return limits;
  if (text == "off") {
    limits.enabled = false;
    return limits;
  }
  const std::string expected =
      " (expected on, off, or bot=N/DURATION,chat=N/DURATION,group=N/DURATION)";
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string item(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const auto equals = item.find('=');
    const auto limit =
        equals == std::string::npos ? std::nullopt : count_per_duration(item.substr(equals + 1));
    const auto name = item.substr(0, equals == std::string::npos ? 0 : equals);
    RateLimit* target = name == "bot"     ? &limits.per_bot
                        : name == "chat"  ? &limits.per_chat
                        : name == "group" ? &limits.per_group
                                          : nullptr;
    if (!target || !limit) fail(source, quoted(item) + " is not a flood limit" + expected);
    *target = *limit;
  }
  return limits;
}

std::string format_flood_limits(const FloodLimits& limits) {
  if (!limits.enabled) return "off";
  auto format = [](const RateLimit& limit) {
    return std::to_string(limit.count) + "/" + format_duration(limit.period);
  };
  return "bot=" + format(limits.per_bot) + ",chat=" + format(limits.per_chat) +
         ",group=" + format(limits.per_group);
}

std::string listen_address(const std::string& source, const std::string& text) {
  const auto colon = text.rfind(':');
  const bool ok = colon != std::string::npos && colon > 0 &&
                  whole_number(text.substr(colon + 1), 65535).has_value();
  if (!ok) fail(source, quoted(text) + " is not HOST:PORT (like 127.0.0.1:8080)");
  return text;
}

std::string api_url(const std::string& source, const std::string& text) {
  // A token pasted into the URL would be stored and shown; refuse it without echoing it.
  for (std::size_t bot = text.find("/bot"); bot != std::string::npos;
       bot = text.find("/bot", bot + 1)) {
    const auto end = text.find('/', bot + 1);
    if (is_valid_token(text.substr(bot + 4, end == std::string::npos ? end : end - bot - 4)))
      fail(source, "the API URL must not contain a bot token");
  }
  std::string error;
  if (!botapi::parse_api_url(text, &error)) fail(source, error);
  return text;
}

std::string proxy_url(const std::string& source, const std::string& text) {
  std::string error;
  if (!botapi::parse_proxy_url(text, &error)) fail(source, error);
  return text;
}

std::string behavior(const std::string& source, const std::string& text) {
  std::string error;
  if (!actors::parse_behavior(text, &error)) fail(source, error);
  return text;
}

std::string bot_name(const std::string& source, const std::string& text) {
  // Names are metric labels and are typed on command lines, and an all-digit name would read
  // as an id wherever ID-or-NAME is accepted.
  const bool ok = !text.empty() && text.size() <= max_name_length && !all_digits(text) &&
                  std::all_of(text.begin(), text.end(), [](unsigned char c) {
                    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
                  });
  if (!ok)
    fail(source, quoted(text) +
                     " is not a bot name (1 to 64 letters, digits, '_', '-' or '.', not all "
                     "digits)");
  return text;
}

std::string log_level(const std::string& source, const std::string& text) {
  if (text != "debug" && text != "info" && text != "warn" && text != "error")
    fail(source, quoted(text) + " is not a log level (use debug, info, warn or error)");
  return text;
}

std::string non_empty(const std::string& source, const std::string& text) {
  if (text.empty()) fail(source, "must not be empty");
  return text;
}

std::string readable_file(const std::string& source, const std::string& path) {
  std::ifstream file(path);
  if (!file) fail(source, "cannot read " + quoted(path) + ": " + std::strerror(errno));
  return path;
}

std::string bot_token(const std::string& source, const std::string& text) {
  if (!is_valid_token(text)) fail(source, "malformed bot token");
  return text;
}

std::string access_token(const std::string& source, const std::string& text) {
  const bool ok = !text.empty() && text.size() <= max_access_token_length &&
                  std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 127; });
  if (!ok)
    fail(source, "must be 1 to " + std::to_string(max_access_token_length) +
                     " printable characters without spaces");
  return text;
}

}  // namespace hangar::cli
