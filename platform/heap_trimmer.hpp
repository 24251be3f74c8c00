#pragma once
// Gives freed heap back to the OS. glibc keeps what the process freed in its arenas, so after a
// restart, an eviction or a wave of idle chats retiring, RSS would stay at its peak. The trimmer
// calls malloc_trim once the metered heap has fallen well below its peak since the last trim,
// or shortly after someone asks (a restart, an eviction), and never more than once a second.
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

  // Asks for a trim soon (after request_delay).
  void request(Clock::time_point now);
  // Trims if due; returns whether it did. `metered` is the process's metered heap now.
  bool tick(Clock::time_point now, std::int64_t metered);

 private:
  std::int64_t peak_ = 0;
  Clock::time_point last_trim_{};
  std::optional<Clock::time_point> requested_at_;
};

}  // namespace hangar
