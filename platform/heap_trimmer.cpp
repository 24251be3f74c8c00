#include "platform/heap_trimmer.hpp"

#include <malloc.h>

#include <algorithm>

namespace hangar {

void HeapTrimmer::request(Clock::time_point now) {
  if (!requested_at_) requested_at_ = now;
}

bool HeapTrimmer::tick(Clock::time_point now, std::int64_t metered) {
  peak_ = std::max(peak_, metered);
  if (now - last_trim_ < min_interval) return false;
  const bool requested = requested_at_ && now - *requested_at_ >= request_delay;
  const bool fallen = peak_ - metered >= std::max(min_drop, peak_ / 8);
  if (!requested && !fallen) return false;
  malloc_trim(0);
  last_trim_ = now;
  requested_at_.reset();
  peak_ = metered;
  return true;
}

}  // namespace hangar
