#pragma once
// /metrics: every metric the README lists, in the Prometheus text format 0.0.4. Bots are labelled
// by name; no label ever carries a token.
#include <cstdint>
#include <string>
#include <string_view>

#include "platform/status/fleet_status.hpp"

namespace hangar::rest {

constexpr const char* metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

// What /metrics shows beyond FleetStatus.
struct MetricsInput {
  std::uint64_t heap_metered_bytes = 0;      // all meters together
  std::uint64_t process_resident_bytes = 0;  // see process_figures.hpp
  // Shown for a bot whose BotStatus has no budget yet (0).
  std::uint64_t default_bot_memory_budget = 0;
};

std::string render_metrics(const FleetStatus& fleet, const MetricsInput& input);

// A label value with backslash, double quote and newline escaped as the format requires.
std::string escape_label_value(std::string_view value);

}  // namespace hangar::rest
