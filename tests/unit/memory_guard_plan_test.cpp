// The memory guard's choices: idle chats first, least recently active first, only as many as
// bring the heap back to 80% of the limit; the biggest running bot only when evicting was not
// enough; and quiet while earlier actions settle.
#include <catch2/catch.hpp>

#include "actors/memory_guard.hpp"
#include "tests/support/charged_meter.hpp"

using hangar::FleetStatus;
using hangar::actors::MemoryGuard;
using hangar::test::charged_meter;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t limit = 1000000;
const auto all_running = [](std::int64_t) { return true; };

// Two bots; bot 1's chats 10 (oldest) to 13 and bot 2's chats 20 and 21, each holding `bytes`.
struct Fleet {
  FleetStatus status;
  Fleet(std::uint64_t chat_bytes) {
    auto one = status.ensure(1, "one");
    auto two = status.ensure(2, "two");
    one->set_meter(charged_meter(3 * chat_bytes));
    two->set_meter(charged_meter(5 * chat_bytes));
    std::int64_t last_active = 1000;
    for (std::int64_t key : {10, 20, 11, 12, 21, 13})
      (key < 20 ? one : two)->add_chat(key, charged_meter(chat_bytes))->last_active_ms =
          last_active++;
  }
};

}  // namespace

TEST_CASE("below 90% of the limit the guard does nothing") {
  Fleet fleet(100000);
  MemoryGuard guard(limit);
  CHECK_FALSE(
      guard.check(limit / 10 * 9 - 1, MemoryGuard::Clock::now(), fleet.status, all_running));
}

TEST_CASE("near the limit it evicts the least recently active chats down to 80%") {
  Fleet fleet(100000);
  MemoryGuard guard(limit);
  const auto now = MemoryGuard::Clock::now();
  // At 950000 bytes it must free 150000: two chats of 100000, the two oldest (10, then 20).
  auto plan = guard.check(950000, now, fleet.status, all_running);
  REQUIRE(plan);
  CHECK_FALSE(plan->restart_bot);
  REQUIRE(plan->evict.size() == 2);
  CHECK(plan->evict.at(1).chat_keys == std::vector<std::int64_t>{10});
  CHECK(plan->evict.at(2).chat_keys == std::vector<std::int64_t>{20});
  CHECK(plan->evict.at(1).bytes == 100000);

  SECTION("and waits for them to land before acting again") {
    CHECK_FALSE(guard.check(950000, now + MemoryGuard::settle_time / 2, fleet.status, all_running));
  }
  SECTION("then restarts the biggest running bot if the heap is still over the limit") {
    auto next = guard.check(limit, now + MemoryGuard::settle_time, fleet.status, all_running);
    REQUIRE(next);
    CHECK(next->evict.empty());
    CHECK(next->restart_bot == std::optional<std::int64_t>(2));
    // Then it pauses, so the restart can take effect.
    CHECK_FALSE(
        guard.check(limit, now + MemoryGuard::settle_time + 10ms, fleet.status, all_running));
  }
  SECTION("a bot that is not running is never picked") {
    auto next = guard.check(limit, now + MemoryGuard::settle_time, fleet.status,
                            [](std::int64_t id) { return id != 2; });
    REQUIRE(next);
    CHECK(next->restart_bot == std::optional<std::int64_t>(1));
  }
  SECTION("between 90% and the limit it keeps evicting rather than restarting") {
    auto next = guard.check(950000, now + MemoryGuard::settle_time, fleet.status, all_running);
    REQUIRE(next);
    CHECK_FALSE(next->restart_bot);
    CHECK_FALSE(next->evict.empty());
  }
}

TEST_CASE("with no chat to evict and the heap over the limit it restarts at once") {
  FleetStatus fleet;
  fleet.ensure(7, "lonely")->set_meter(charged_meter(limit));
  MemoryGuard guard(limit);
  auto plan = guard.check(limit, MemoryGuard::Clock::now(), fleet, all_running);
  REQUIRE(plan);
  CHECK(plan->evict.empty());
  CHECK(plan->restart_bot == std::optional<std::int64_t>(7));
}
