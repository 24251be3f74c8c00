#pragma once
// The process's wall clock, as Hangar stores and shows times (events, chat activity): whole
// milliseconds since the epoch, UTC.
#include <chrono>
#include <cstdint>

namespace hangar {

inline std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// The same at a steady-clock moment of the recent past (a budget crossing, a stop).
inline std::int64_t ms_at(std::chrono::steady_clock::time_point at) {
  using namespace std::chrono;
  return now_ms() - duration_cast<milliseconds>(steady_clock::now() - at).count();
}

}  // namespace hangar
