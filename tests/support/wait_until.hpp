#pragma once
// Polls a condition instead of sleeping a fixed time: tests stay fast when the product is fast
// and still pass on a loaded 2-core CI machine, because the timeouts are generous.
#include <chrono>
#include <thread>

namespace hangar::test {

using namespace std::chrono_literals;

// True as soon as `predicate()` holds; false when `timeout` passed without it.
template <typename Predicate>
bool wait_until(Predicate&& predicate, std::chrono::milliseconds timeout = 30s,
                std::chrono::milliseconds interval = 50ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (predicate()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace hangar::test
