// The simulator's flood limiter on its own, with the clock in the test's hands: sliding windows
// per bot and per chat, refusals that do not count, Telegram's retry_after, and the bound on the
// chats it remembers.
#include <catch2/catch.hpp>

#include "sim/flood_limiter.hpp"

using namespace std::chrono_literals;
using hangar::sim::FloodLimit;
using hangar::sim::FloodLimiter;
using hangar::sim::FloodLimits;
using hangar::sim::format_flood_limit;
using hangar::sim::parse_flood_limit;
using hangar::sim::retry_after_seconds;

namespace {

FloodLimits limits(FloodLimit per_bot, FloodLimit per_private_chat, FloodLimit per_group) {
  FloodLimits made;
  made.enabled = true;
  made.per_bot = per_bot;
  made.per_private_chat = per_private_chat;
  made.per_group = per_group;
  return made;
}

const FloodLimiter::Clock::time_point t0{std::chrono::hours(1)};

}  // namespace

TEST_CASE("a private chat takes its count within the window, then waits for its oldest") {
  FloodLimiter limiter;
  const FloodLimits telegram = limits({30, 1s}, {3, 3s}, {20, 60s});
  CHECK_FALSE(limiter.admit(7, telegram, t0));
  CHECK_FALSE(limiter.admit(7, telegram, t0 + 400ms));
  CHECK_FALSE(limiter.admit(7, telegram, t0 + 800ms));
  const auto wait = limiter.admit(7, telegram, t0 + 1s);
  REQUIRE(wait);
  CHECK(*wait == 2s);  // until the first leaves the trailing 3 s
  CHECK(retry_after_seconds(*wait) == 2);
  CHECK(limiter.admit(7, telegram, t0 + 2999ms));
  CHECK_FALSE(limiter.admit(7, telegram, t0 + 3s));
  // Another chat has its own window.
  CHECK_FALSE(limiter.admit(8, telegram, t0 + 3s));
}

TEST_CASE("refused requests do not count, so the window frees when the accepted ones leave it") {
  FloodLimiter limiter;
  const FloodLimits tight = limits({100, 1s}, {1, 100ms}, {1, 100ms});
  CHECK_FALSE(limiter.admit(5, tight, t0));
  for (int i = 1; i < 100; ++i) CHECK(limiter.admit(5, tight, t0 + i * 1ms));
  CHECK_FALSE(limiter.admit(5, tight, t0 + 100ms));
}

TEST_CASE("the bot's limit spans its chats, and a refusal waits for whichever window is later") {
  FloodLimiter limiter;
  const FloodLimits telegram = limits({30, 1s}, {3, 3s}, {20, 60s});
  for (int chat = 1; chat <= 30; ++chat) CHECK_FALSE(limiter.admit(chat, telegram, t0));
  const auto bot_full = limiter.admit(31, telegram, t0 + 10ms);
  REQUIRE(bot_full);
  CHECK(*bot_full == 990ms);
  CHECK(retry_after_seconds(*bot_full) == 1);
  // Chat 1 is not full yet (1 of 3), but the bot is; past the bot's window it is let through.
  CHECK(limiter.admit(1, telegram, t0 + 999ms));
  CHECK_FALSE(limiter.admit(1, telegram, t0 + 1s));
}

TEST_CASE("a negative chat id is a group or channel, with the group limit") {
  FloodLimiter limiter;
  const FloodLimits telegram = limits({30, 1s}, {3, 3s}, {20, 60s});
  for (int i = 0; i < 20; ++i) CHECK_FALSE(limiter.admit(-100, telegram, t0 + i * 100ms));
  const auto wait = limiter.admit(-100, telegram, t0 + 2s);
  REQUIRE(wait);
  CHECK(*wait == 58s);
  CHECK(retry_after_seconds(*wait) == 58);
}

TEST_CASE("a limit lowered at run time holds at once") {
  FloodLimiter limiter;
  for (int i = 0; i < 5; ++i)
    CHECK_FALSE(limiter.admit(9, limits({30, 1s}, {5, 1s}, {20, 60s}), t0 + i * 10ms));
  const auto wait = limiter.admit(9, limits({30, 1s}, {2, 1s}, {20, 60s}), t0 + 100ms);
  REQUIRE(wait);
  CHECK(*wait == 930ms);  // only one may stay: the one at 30 ms leaves at 1030 ms
}

TEST_CASE("retry_after is whole seconds rounded up, at least 1") {
  CHECK(retry_after_seconds(0ms) == 1);
  CHECK(retry_after_seconds(1ms) == 1);
  CHECK(retry_after_seconds(1s) == 1);
  CHECK(retry_after_seconds(1001ms) == 2);
  CHECK(retry_after_seconds(60s) == 60);
}

TEST_CASE("chats whose window emptied are forgotten, so the table follows recent chats only") {
  FloodLimiter limiter;
  const FloodLimits fast = limits({1000000, 1ms}, {3, 10ms}, {20, 10ms});
  // 100,000 chats, each written once, one every 100 us: at most about 100 are within 10 ms.
  int refused = 0;
  for (int chat = 1; chat <= 100000; ++chat)
    if (limiter.admit(chat % 2 ? chat : -chat, fast, t0 + chat * 100us)) ++refused;
  CHECK(refused == 0);
  CHECK(limiter.chats_tracked() <= 2 * 101 + 1);
}

TEST_CASE("a flood limit reads as COUNT/DURATION and prints the same way") {
  const auto telegram = parse_flood_limit("30/1s");
  REQUIRE(telegram);
  CHECK(telegram->count == 30);
  CHECK(telegram->window == 1s);
  const auto fast = parse_flood_limit("3/250ms");
  REQUIRE(fast);
  CHECK(fast->window == 250ms);
  CHECK(format_flood_limit({20, 60s}) == "20/1m");
  CHECK(format_flood_limit(*fast) == "3/250ms");
  for (const char* bad : {"", "30", "/1s", "30/", "0/1s", "3/0ms", "-3/1s", "3/1x", "x/1s", "3/25h",
                          "99999999999999999999/1s", "3 /1s", "3/1s "})
    CHECK_FALSE(parse_flood_limit(bad));
}
