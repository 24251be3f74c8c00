#pragma once
// How long a bot waits before it tries a failed step again: exponential, capped, with jitter.
// The n-th failure in a row has a nominal wait of first * 2^(n-1), at most `max`, and the wait is
// drawn between half of it and all of it. So bots that failed together (a Bot API outage) do not
// all come back at the same moment, and no wait is shorter than the one before could have been.
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

namespace hangar::actors::bot {

class RetryBackoff {
 public:
  RetryBackoff(std::chrono::milliseconds first, std::chrono::milliseconds max, std::uint32_t seed);

  // Counts a failure and returns the wait before the next try. It is never shorter than
  // `at_least` (a retry_after from the server), which may exceed `max`.
  std::chrono::milliseconds next(std::optional<std::chrono::milliseconds> at_least = {});
  // The step succeeded: the next failure waits `first` again.
  void reset() { failures_ = 0; }
  unsigned failures() const { return failures_; }
  // The nominal wait of the next failure, the upper end of its draw.
  std::chrono::milliseconds nominal() const;

 private:
  std::chrono::milliseconds first_;
  std::chrono::milliseconds max_;
  unsigned failures_ = 0;
  std::minstd_rand random_;
};

}  // namespace hangar::actors::bot
