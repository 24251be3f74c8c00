#pragma once
// The value grammar of the README: DURATION (`250ms`, `2s`, `10m`, `1h30m`) and SIZE (plain
// bytes or a number with KiB, MiB, GiB).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hangar {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::optional<std::uint64_t> parse_size(std::string_view text);
std::string format_duration(std::chrono::milliseconds duration);  // "1h30m", "250ms"
std::string format_size(std::uint64_t bytes);                     // "64MiB", "1500"

}  // namespace hangar
