#pragma once
// The names of Settings::timings as `--tuning NAME=DURATION` (and HANGAR_TUNING, a comma-separated
// list of the same) takes them, and as the README lists them.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "platform/core/settings.hpp"

namespace hangar {

struct TimingSetting {
  const char* name;
  std::chrono::milliseconds Timings::*field;
  const char* meaning;
};

const std::vector<TimingSetting>& timing_settings();

// Applies "NAME=DURATION" to `timings`. Returns "" on success, else one line saying what is wrong
// (an unknown name lists the known ones).
std::string apply_timing(Timings& timings, std::string_view assignment);

}  // namespace hangar
