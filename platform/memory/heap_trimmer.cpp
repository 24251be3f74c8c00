#include "platform/memory/heap_trimmer.hpp"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>

namespace hangar {

void HeapTrimmer::request(Clock::time_point now) {
  if (!requested_at_) requested_at_ = now;
}

bool HeapTrimmer::tick(Clock::time_point now, std::int64_t metered) {
  peak_ = std::max(peak_, metered);
  if (std::abs(metered - level_) > settle_band) {
    level_ = metered;
    level_since_ = now;
  }
  if (now - last_trim_ < min_interval) return false;
  const bool requested = requested_at_ && now - *requested_at_ >= request_delay;
  const bool fallen = peak_ - metered >= std::max(min_drop, peak_ / 8);
  const bool settled = now - level_since_ >= settle_time && peak_ - metered >= settled_drop;
  if (!requested && !fallen && !settled) return false;
  malloc_trim(0);
  last_trim_ = now;
  requested_at_.reset();
  peak_ = metered;
  return true;
}

}  // namespace hangar
