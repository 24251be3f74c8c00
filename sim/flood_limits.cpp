#include "sim/flood_limits.hpp"

#include <charconv>

#include "platform/core/units.hpp"

namespace hangar::sim {

namespace {

// A limiter keeps up to `count` timestamps per chat, and adds the window to steady-clock times:
// both stay far from what could exhaust memory or overflow.
constexpr std::size_t kMaxCount = 1000000;
constexpr std::chrono::milliseconds kMaxWindow = std::chrono::hours(24);

}  // namespace

std::optional<FloodLimit> parse_flood_limit(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  std::size_t count = 0;
  const char* const end = text.data() + slash;
  const auto [stop, ec] = std::from_chars(text.data(), end, count);
  if (ec != std::errc() || stop != end || count == 0 || count > kMaxCount) return std::nullopt;
  const auto window = parse_duration(text.substr(slash + 1));
  if (!window || window->count() == 0 || *window > kMaxWindow) return std::nullopt;
  return FloodLimit{count, *window};
}

std::string format_flood_limit(const FloodLimit& limit) {
  return std::to_string(limit.count) + "/" + format_duration(limit.window);
}

}  // namespace hangar::sim
