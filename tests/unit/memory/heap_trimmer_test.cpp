// When the heap trimmer gives memory back: after the metered heap fell well below its peak, or
// fell a little and held still, or shortly after a request, and never twice within a second.
#include <catch2/catch.hpp>

#include "platform/memory/heap_trimmer.hpp"

using hangar::HeapTrimmer;
using namespace std::chrono_literals;

TEST_CASE("the trimmer trims after a large fall from the peak, at most once a second") {
  HeapTrimmer trimmer;
  auto t = HeapTrimmer::Clock::now();
  CHECK(trimmer.tick(t, 0) == false);
  CHECK(trimmer.tick(t + 2s, 100 << 20) == false);  // growing: nothing to give back
  CHECK(trimmer.tick(t + 3s, 95 << 20) == false);   // fell less than an eighth
  CHECK(trimmer.tick(t + 4s, 80 << 20) == true);
  CHECK(trimmer.tick(t + 4s + 500ms, 10 << 20) == false);  // too soon after the last
  CHECK(trimmer.tick(t + 5s + 1ms, 10 << 20) == true);
  CHECK(trimmer.tick(t + 7s, 9 << 20) == false);  // a small heap's small fall is not worth it
}

TEST_CASE("a smaller fall is trimmed once the heap has held still") {
  HeapTrimmer trimmer;
  auto t = HeapTrimmer::Clock::now() + 10s;
  CHECK(trimmer.tick(t, 20 << 20) == false);
  CHECK(trimmer.tick(t + 1s, 18 << 20) == false);                  // under both an eighth and 4 MiB
  CHECK(trimmer.tick(t + 2s, (18 << 20) + (100 << 10)) == false);  // still settling
  CHECK(trimmer.tick(t + 3s + 1ms, 18 << 20) == true);
  CHECK(trimmer.tick(t + 6s, 18 << 20) == false);  // nothing fell since
}

TEST_CASE("a requested trim happens shortly after the request") {
  HeapTrimmer trimmer;
  auto t = HeapTrimmer::Clock::now() + 10s;
  trimmer.request(t);
  CHECK(trimmer.tick(t + 100ms, 1 << 20) == false);  // the stopped actors are still ending
  CHECK(trimmer.tick(t + HeapTrimmer::request_delay, 1 << 20) == true);
  CHECK(trimmer.tick(t + 5s, 1 << 20) == false);  // the request was served
}
