// The memory guard's choices: idle chats first, least recently active first, only as many as
// bring the heap back to 80% of the limit; busy chats never; the biggest running bot only when
// the idle chats cannot bring the heap under the limit; quiet while earlier actions settle.
#include <catch2/catch.hpp>

#include <map>
#include <memory>

#include "actors/fleet/memory_guard.hpp"
#include "tests/support/charged_meter.hpp"

using hangar::FleetStatus;
using hangar::actors::MemoryGuard;
using hangar::test::charged_meter;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t limit = 1000000;
const auto all_running = [](std::int64_t) { return true; };

// Two bots; bot 1's chats 10 (least recently active) to 13 and bot 2's chats 20 and 21, each
// holding `chat_bytes`.
struct Fleet {
  FleetStatus status;
  std::map<std::int64_t, std::shared_ptr<hangar::ChatStatus>> chats;
  explicit Fleet(std::uint64_t chat_bytes) {
    auto one = status.ensure(1, "one");
    auto two = status.ensure(2, "two");
    one->set_meter(charged_meter(3 * chat_bytes));
    two->set_meter(charged_meter(5 * chat_bytes));
    std::int64_t last_active = 1000;
    for (std::int64_t key : {10, 20, 11, 12, 21, 13}) {
      auto chat = (key < 20 ? one : two)->add_chat(key, charged_meter(chat_bytes));
      chat->last_active_ms = last_active++;
      chats[key] = chat;
    }
  }
  void set_busy(std::int64_t chat) { chats.at(chat)->busy = true; }
};

}  // namespace

TEST_CASE("below 90% of the limit the guard does nothing") {
  Fleet fleet(100000);
  MemoryGuard guard(limit);
  CHECK_FALSE(
      guard.check(limit / 10 * 9 - 1, MemoryGuard::Clock::now(), fleet.status, all_running));
}

TEST_CASE("near the limit it evicts the least recently active idle chats down to 80%") {
  Fleet fleet(100000);
  MemoryGuard guard(limit);
  const auto now = MemoryGuard::Clock::now();

  SECTION("oldest first, only as many as needed") {
    // At 950000 bytes it must free 150000: two chats of 100000, the two oldest (10, then 20).
    auto plan = guard.check(950000, now, fleet.status, all_running);
    REQUIRE(plan);
    CHECK_FALSE(plan->restart_bot);
    REQUIRE(plan->evict.size() == 2);
    CHECK(plan->evict.at(1).chat_keys == std::vector<std::int64_t>{10});
    CHECK(plan->evict.at(2).chat_keys == std::vector<std::int64_t>{20});
    CHECK(plan->evict.at(1).bytes == 100000);
    // Then it waits for them to land before acting again.
    CHECK_FALSE(guard.check(950000, now + MemoryGuard::settle_time / 2, fleet.status, all_running));
    CHECK(guard.check(950000, now + MemoryGuard::settle_time, fleet.status, all_running));
  }
  SECTION("busy chats are left alone") {
    fleet.set_busy(10);
    auto plan = guard.check(950000, now, fleet.status, all_running);
    REQUIRE(plan);
    CHECK(plan->evict.at(2).chat_keys == std::vector<std::int64_t>{20});
    CHECK(plan->evict.at(1).chat_keys == std::vector<std::int64_t>{11});
  }
  SECTION("over the limit, idle chats that can bring it under are enough") {
    auto plan = guard.check(limit + 50000, now, fleet.status, all_running);
    REQUIRE(plan);
    CHECK_FALSE(plan->restart_bot);
    CHECK(plan->evict.size() == 2);
  }
}

TEST_CASE("when idle chats cannot bring the heap under the limit, the biggest bot restarts") {
  Fleet fleet(100000);
  for (std::int64_t chat : {10, 11, 12, 13, 20}) fleet.set_busy(chat);
  MemoryGuard guard(limit);
  // The first look at the limit: chat 21, the one idle chat, would bring the heap under it.
  const auto first_over = MemoryGuard::Clock::now();
  auto first = guard.check(limit, first_over, fleet.status, all_running);
  REQUIRE(first);
  CHECK_FALSE(first->restart_bot);
  const auto later = first_over + 2s;

  SECTION("the one holding the most, evicting what idle chats there are") {
    auto plan = guard.check(limit + 200000, later, fleet.status, all_running);
    REQUIRE(plan);
    CHECK(plan->evict.at(2).chat_keys == std::vector<std::int64_t>{21});
    CHECK(plan->restart_bot == std::optional<std::int64_t>(2));
    // Over the limit since the first check that saw it there, not since this one.
    CHECK(plan->over_limit_since == first_over);
    // Then it pauses, so the restart can take effect.
    CHECK_FALSE(guard.check(limit, later + 10ms, fleet.status, all_running));
  }
  SECTION("never one that is not running") {
    auto plan =
        guard.check(limit + 200000, later, fleet.status, [](std::int64_t id) { return id != 2; });
    REQUIRE(plan);
    CHECK(plan->restart_bot == std::optional<std::int64_t>(1));
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
