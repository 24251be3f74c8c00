#include "platform/core/units.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace hangar {
namespace {

struct Unit {
  std::string_view suffix;
  std::uint64_t scale;
};

// Largest first: a duration's parts must come in this order, each at most once, so a typo such
// as `1m30m` is refused instead of silently summed. "ms" precedes "m" so it matches first.
constexpr std::array<Unit, 4> duration_units = {
    {{"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}}};
constexpr std::array<Unit, 3> size_units = {
    {{"GiB", 1ull << 30}, {"MiB", 1ull << 20}, {"KiB", 1ull << 10}}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads the digits at the front of `text`, consuming them; nullopt when there are none or the
// number does not fit.
std::optional<std::uint64_t> take_number(std::string_view& text) {
  std::size_t length = 0;
  std::uint64_t value = 0;
  while (length < text.size() && is_digit(text[length])) {
    const unsigned digit = static_cast<unsigned>(text[length] - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
    ++length;
  }
  if (length == 0) return std::nullopt;
  text.remove_prefix(length);
  return value;
}

std::optional<std::uint64_t> scaled(std::uint64_t value, std::uint64_t scale, std::uint64_t limit) {
  if (value > limit / scale) return std::nullopt;
  return value * scale;
}

// Index into duration_units of the unit at the front of `text`, consuming it.
std::optional<std::size_t> take_duration_unit(std::string_view& text) {
  // Prefer the longest suffix so "ms" is not read as "m" followed by garbage.
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < duration_units.size(); ++i) {
    const auto suffix = duration_units[i].suffix;
    if (text.substr(0, suffix.size()) == suffix &&
        (!best || suffix.size() > duration_units[*best].suffix.size()))
      best = i;
  }
  if (best) text.remove_prefix(duration_units[*best].suffix.size());
  return best;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  const auto limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t total = 0;
  std::size_t next_unit = 0;  // units must come largest first
  if (text.empty()) return std::nullopt;
  while (!text.empty()) {
    auto number = take_number(text);
    if (!number) return std::nullopt;
    auto unit = take_duration_unit(text);
    if (!unit || *unit < next_unit) return std::nullopt;
    next_unit = *unit + 1;
    auto part = scaled(*number, duration_units[*unit].scale, limit);
    if (!part || *part > limit - total) return std::nullopt;
    total += *part;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(total));
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  auto number = take_number(text);
  if (!number) return std::nullopt;
  if (text.empty()) return number;
  for (const auto& unit : size_units)
    if (text == unit.suffix)
      return scaled(*number, unit.scale, std::numeric_limits<std::uint64_t>::max());
  return std::nullopt;
}

std::string format_duration(std::chrono::milliseconds duration) {
  auto remaining = static_cast<std::uint64_t>(std::max<std::int64_t>(duration.count(), 0));
  if (remaining == 0) return "0s";
  std::string text;
  for (const auto& unit : duration_units) {
    const std::uint64_t count = remaining / unit.scale;
    remaining %= unit.scale;
    if (count > 0) text += std::to_string(count) + std::string(unit.suffix);
  }
  return text;
}

std::string format_size(std::uint64_t bytes) {
  for (const auto& unit : size_units)
    if (bytes != 0 && bytes % unit.scale == 0)
      return std::to_string(bytes / unit.scale) + std::string(unit.suffix);
  return std::to_string(bytes);
}

}  // namespace hangar
