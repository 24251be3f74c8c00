#pragma once
// Telegram's flood limits as the simulator enforces them on sendMessage and editMessageText:
// the configuration, and its "N/DURATION" text form (`30/1s`) shared by `hangar sim`'s flags and
// the control API.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hangar::sim {

// At most `count` accepted requests within any trailing `window`.
struct FloodLimit {
  std::size_t count = 1;
  std::chrono::milliseconds window{1000};
};

// Off by default: most tests send faster than Telegram allows. The defaults are Telegram's
// documented limits.
struct FloodLimits {
  bool enabled = false;
  FloodLimit per_bot{30, std::chrono::seconds(1)};
  FloodLimit per_private_chat{3, std::chrono::seconds(3)};  // chat_id > 0 (and 0)
  FloodLimit per_group{20, std::chrono::seconds(60)};       // chat_id < 0: groups and channels
};

// "30/1s" -> {30, 1 s}; nullopt unless the count and the window are both above zero.
std::optional<FloodLimit> parse_flood_limit(std::string_view text);
std::string format_flood_limit(const FloodLimit& limit);  // "30/1s"

}  // namespace hangar::sim
