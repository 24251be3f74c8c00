// A budget stop that lands while a send is in flight: the supervisor stops a bot over its memory
// budget while one of its chats waits for sendMessage. The call is cut short, the update stays
// in the inbox unmarked, and the fresh bot actor replays it: answered, and nothing lost.
#include <catch2/catch.hpp>

#include "storage/bot_repository.hpp"
#include "storage/event_repository.hpp"
#include "tests/unit/actors/fleet_harness.hpp"

using namespace hangar;
using namespace hangar::test;

TEST_CASE("a bot stopped for its budget with a send in flight replays that update after restart") {
  FleetHarness harness;
  const auto bot_id = harness.start_with_bot("alpha", "counter", std::uint64_t{64} << 20);
  const auto token = FleetHarness::token_of("alpha");

  auto& first = harness.session(token);
  first.hold_calls(true);
  first.deliver({text_update(1, 5, "hello")});
  harness.settle();
  REQUIRE(first.held().size() == 1);  // "#1 hello" is on its way
  REQUIRE(harness.pending_updates(bot_id) == 1);

  // `hangar bot set --memory-budget` below what the bot holds: the next watch tick stops it.
  storage::BotChanges changes;
  changes.memory_budget = 1024;
  storage::BotRepository(harness.db()).update(bot_id, changes);
  harness.reload();
  harness.settle();
  harness.advance(harness.settings().timings.budget_watch_interval);
  harness.run_actors();

  // The old actor is gone, its session closed and the send cut short, not answered.
  REQUIRE(harness.sessions(token).size() == 2);
  CHECK(first.closed());
  CHECK(first.sent_texts(5).empty());
  CHECK(harness.pending_updates(bot_id) == 1);

  // Back to a budget that fits, before the fresh actor passes it too.
  changes.memory_budget = std::uint64_t{64} << 20;
  storage::BotRepository(harness.db()).update(bot_id, changes);
  harness.reload();
  harness.settle();
  auto& second = harness.session(token);
  CHECK(second.sent_texts(5) == std::vector<std::string>{"#1 hello"});  // the count kept at 1
  CHECK(harness.pending_updates(bot_id) == 0);

  storage::EventFilter restarts;
  restarts.bot_id = bot_id;
  restarts.kind = storage::EventKind::restart;
  const auto events = storage::EventRepository(harness.db()).list(restarts);
  REQUIRE(events.size() == 1);
  CHECK(events[0].reason == "budget");
  CHECK(events[0].budget == 1024);
  CHECK(harness.fleet().find(bot_id)->restarts == 1);
}
