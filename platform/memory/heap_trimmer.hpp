#pragma once
// Gives freed heap back to the OS. glibc keeps what the process freed in its arenas, so after a
// restart, an eviction or a wave of idle chats retiring, RSS would stay at its peak. The trimmer
// calls malloc_trim once the metered heap has fallen well below its peak since the last trim,
// or has fallen a little and then held still (the tail of a wave of retirements), or shortly
// after someone asks (a restart, an eviction), and never more than once a second.
#include <chrono>
#include <cstdint>
#include <optional>

namespace hangar {

class HeapTrimmer {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds min_interval{1000};
  static constexpr std::chrono::milliseconds request_delay{200};  // let the actors end first
  static constexpr std::int64_t min_drop = 4 << 20;               // and an eighth of the peak
  static constexpr std::int64_t settled_drop = 1 << 20;           // once the heap held still
  static constexpr std::int64_t settle_band = 256 << 10;          // for settle_time within this
  static constexpr std::chrono::milliseconds settle_time{2000};

  // Asks for a trim soon (after request_delay).
  void request(Clock::time_point now);
  // Trims if due; returns whether it did. `metered` is the process's metered heap now.
  bool tick(Clock::time_point now, std::int64_t metered);

 private:
  std::int64_t peak_ = 0;
  std::int64_t level_ = 0;  // where the heap has held within settle_band since level_since_
  Clock::time_point level_since_{};
  Clock::time_point last_trim_{};
  std::optional<Clock::time_point> requested_at_;
};

}  // namespace hangar
