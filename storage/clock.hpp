#pragma once
// Timestamps stored by the repositories: milliseconds since the epoch, UTC.
#include <chrono>
#include <cstdint>

namespace hangar::storage {

inline std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace hangar::storage
