#pragma once
// Validation of command-line and environment values. Every function takes `source`, the flag or
// variable the text came from ("--db", "HANGAR_DB"), and throws UsageError naming it, so a bad
// value always ends the command with exit status 2 and one line, before anything is changed.
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "platform/core/settings.hpp"

namespace hangar::cli {

// A bad flag or value: the command prints "hangar: <what()>" and exits with status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& source, const std::string& problem);

std::chrono::milliseconds positive_duration(const std::string& source, const std::string& text);
std::uint64_t positive_size(const std::string& source, const std::string& text);
unsigned positive_count(const std::string& source, const std::string& text);
double positive_rate(const std::string& source, const std::string& text);
RestartIntensity restart_intensity(const std::string& source, const std::string& text);
// "on", "off", or some of "bot=30/1s,chat=3/3s,group=20/1m" (the rest keep their defaults).
FloodLimits flood_limits(const std::string& source, const std::string& text);
std::string format_flood_limits(const FloodLimits& limits);

std::string listen_address(const std::string& source, const std::string& text);
std::string api_url(const std::string& source, const std::string& text);
// A proxy URL (platform/botapi/proxy_url.hpp); the error never repeats its user or password.
std::string proxy_url(const std::string& source, const std::string& text);
std::string behavior(const std::string& source, const std::string& text);
std::string bot_name(const std::string& source, const std::string& text);
std::string log_level(const std::string& source, const std::string& text);
std::string non_empty(const std::string& source, const std::string& text);
std::string readable_file(const std::string& source, const std::string& path);

// Secrets are never echoed in the error.
std::string bot_token(const std::string& source, const std::string& text);
std::string access_token(const std::string& source, const std::string& text);

}  // namespace hangar::cli
