#pragma once
// Logging goes through spdlog to stderr. Nothing logged may contain a token: log bots by name
// and endpoints by Endpoint::display().
#include <spdlog/spdlog.h>

#include <string_view>

namespace hangar {

// Returns false for an unknown level name ("debug", "info", "warn", "error").
bool setup_logging(std::string_view level);

}  // namespace hangar
