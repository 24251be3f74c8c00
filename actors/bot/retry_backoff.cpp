#include "actors/bot/retry_backoff.hpp"

#include <algorithm>

namespace hangar::actors::bot {

using std::chrono::milliseconds;

namespace {

// A linear congruential engine's first draws follow its seed closely, so neighbouring seeds would
// give neighbouring waits: the seed is scrambled first (a 32-bit finaliser of MurmurHash3's kind).
std::uint32_t scrambled(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

}  // namespace

RetryBackoff::RetryBackoff(milliseconds first, milliseconds max, std::uint32_t seed)
    : first_(first), max_(std::max(first, max)), random_(scrambled(seed)) {}

milliseconds RetryBackoff::nominal() const {
  // Doubling stops at the cap, so a long streak cannot overflow.
  milliseconds wait = first_;
  for (unsigned i = 0; i < failures_ && wait < max_; ++i) wait *= 2;
  return std::min(wait, max_);
}

milliseconds RetryBackoff::next(std::optional<milliseconds> at_least) {
  const milliseconds upper = nominal();
  ++failures_;
  std::uniform_int_distribution<milliseconds::rep> draw(upper.count() / 2, upper.count());
  const milliseconds wait(draw(random_));
  return at_least ? std::max(wait, *at_least) : wait;
}

}  // namespace hangar::actors::bot
