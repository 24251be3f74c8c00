// The flood gate's bookkeeping on a clock the test moves: windows counted from each call's
// answer, chats apart from one another, groups under their own limit, the pauses of a 429, and
// memory that follows only the chats that sent lately.
#include <catch2/catch.hpp>

#include "actors/outbox/flood_gate.hpp"

using namespace std::chrono_literals;
using hangar::FloodLimits;
using hangar::actors::FloodGate;

namespace {

FloodLimits test_limits() {
  FloodLimits limits;
  limits.per_bot = {5, 1000ms};
  limits.per_chat = {2, 1000ms};
  limits.per_group = {3, 10000ms};
  return limits;
}

// Starts and answers one call at `at`; false when the gate would have held it.
bool send_at(FloodGate& gate, FloodGate::Target target, FloodGate::TimePoint at) {
  const auto ready = gate.ready_at(target, at);
  if (!ready || *ready > at) return false;
  gate.started(target);
  gate.finished(target, at);
  return true;
}

}  // namespace

TEST_CASE("a chat's window holds its count, counted from each answer") {
  FloodGate gate(test_limits());
  const auto t0 = FloodGate::Clock::now();
  CHECK(send_at(gate, 7, t0));
  CHECK(send_at(gate, 7, t0 + 10ms));
  CHECK_FALSE(send_at(gate, 7, t0 + 20ms));
  CHECK(gate.ready_at(7, t0 + 20ms) == t0 + 1000ms);  // the first answer ages out
  CHECK(send_at(gate, 7, t0 + 1000ms));
  CHECK(gate.ready_at(7, t0 + 1000ms) == t0 + 1010ms);
  // Another chat is not held by chat 7's window.
  CHECK(send_at(gate, 8, t0 + 20ms));
}

TEST_CASE("a call in flight holds its slot until its answer") {
  FloodGate gate(test_limits());
  const auto t0 = FloodGate::Clock::now();
  gate.started(7);
  gate.started(7);
  CHECK_FALSE(gate.ready_at(7, t0));  // waits for an answer, not for a time
  gate.finished(7, t0 + 500ms);
  CHECK(gate.ready_at(7, t0 + 600ms) == t0 + 1500ms);
}

TEST_CASE("the bot's window holds every chat, and a group has its own longer window") {
  FloodGate gate(test_limits());
  const auto t0 = FloodGate::Clock::now();
  for (std::int64_t chat = 1; chat <= 5; ++chat) CHECK(send_at(gate, chat, t0));
  CHECK_FALSE(send_at(gate, 6, t0));
  CHECK_FALSE(send_at(gate, std::nullopt, t0));  // a call of no chat counts toward the bot too
  CHECK(gate.ready_at(6, t0) == t0 + 1000ms);

  const auto t1 = t0 + 2000ms;
  for (int i = 0; i < 3; ++i) CHECK(send_at(gate, -100, t1 + i * 1ms));
  CHECK_FALSE(send_at(gate, -100, t1 + 1500ms));
  CHECK(gate.ready_at(-100, t1 + 1500ms) == t1 + 10000ms);
}

TEST_CASE("a 429 pauses its chat, and a second chat's within a second pauses the bot") {
  FloodGate gate(test_limits());
  const auto t0 = FloodGate::Clock::now();
  CHECK_FALSE(gate.too_many_requests(7, 5000ms, t0));
  CHECK(gate.ready_at(7, t0 + 1ms) == t0 + 5000ms);
  CHECK(gate.ready_at(8, t0 + 1ms) == t0 + 1ms);  // other chats go on
  CHECK(gate.paused_until(t0 + 1ms) == t0 + 5000ms);

  CHECK(gate.too_many_requests(8, 3000ms, t0 + 500ms));  // two chats: the bot's own limit
  CHECK(gate.ready_at(9, t0 + 600ms) == t0 + 3500ms);
  CHECK_FALSE(gate.paused_until(t0 + 5000ms));

  // Far apart, two chats' 429s pause only their chats; one of no chat pauses the bot.
  CHECK_FALSE(gate.too_many_requests(10, 1000ms, t0 + 10s));
  CHECK_FALSE(gate.too_many_requests(11, 1000ms, t0 + 12s));
  CHECK(gate.too_many_requests(std::nullopt, 1000ms, t0 + 20s));
  CHECK(gate.ready_at(12, t0 + 20s) == t0 + 21s);
}

TEST_CASE("limits off: no window holds a call, but a 429 still pauses") {
  auto limits = test_limits();
  limits.enabled = false;
  FloodGate gate(limits);
  const auto t0 = FloodGate::Clock::now();
  for (int i = 0; i < 100; ++i) CHECK(send_at(gate, 7, t0));
  CHECK(gate.chats_tracked() == 0);
  gate.too_many_requests(7, 2000ms, t0);
  CHECK(gate.ready_at(7, t0) == t0 + 2000ms);
}

TEST_CASE("chats that went quiet are forgotten") {
  auto limits = test_limits();
  limits.per_bot = {100000, 1000ms};
  FloodGate gate(limits);
  const auto t0 = FloodGate::Clock::now();
  for (std::int64_t chat = 1; chat <= 1000; ++chat)
    CHECK(send_at(gate, chat, t0 + std::chrono::milliseconds(chat * 2)));
  CHECK(gate.chats_tracked() == 1000);
  // Past the longest window (the group's), the next look forgets them.
  gate.ready_at(1, t0 + 30s);
  CHECK(gate.chats_tracked() == 0);
}
