// The graceful stop inside the fleet: a bot whose batch is being committed when the drain comes
// confirms that batch's offset with a last getUpdates once the commit is in, leaves the batch
// in the inbox for the next start, lets its busy chat finish the update in hand, and ends; the
// supervisor ends with its last bot.
#include <catch2/catch.hpp>

#include "tests/unit/actors/fleet_harness.hpp"

using namespace hangar;
using namespace hangar::test;

TEST_CASE("a drain confirms the offset of a batch committed meanwhile and finishes the chat") {
  FleetHarness harness;
  const auto bot_id = harness.start_with_bot("tidy");
  auto& session = harness.session(FleetHarness::token_of("tidy"));

  // Chat 1's reply is in flight when the drain comes.
  session.hold_calls(true);
  session.deliver({text_update(1, 1, "busy")});
  harness.settle();
  REQUIRE(session.held().size() == 1);

  // A second batch: its commit is posted, not yet run.
  session.deliver({text_update(2, 2, "later"), text_update(3, 2, "later too")});
  harness.run_actors();
  REQUIRE(harness.storage_waiting() == 1);

  harness.drain();
  harness.settle();
  REQUIRE(harness.fleet().find(bot_id));
  CHECK(harness.pending_updates(bot_id) == 3);  // stored, none handled yet

  // The last getUpdates carries the offset past the batch, and asks for nothing more.
  const auto& last = session.held().back();
  REQUIRE(last.method == "getUpdates");
  CHECK(last.params["offset"] == 4);
  CHECK(last.params["timeout"] == 0);
  session.answer_held(ScriptedSession::ok_result(nlohmann::json::array()));  // chat 1's reply
  session.answer_held(ScriptedSession::ok_result(nlohmann::json::array()));  // the confirmation
  harness.settle();

  // Chat 1 finished: replied and marked. Chat 2's updates wait for the next start.
  CHECK(session.sent_texts(1) == std::vector<std::string>{"busy"});
  CHECK(session.sent_texts(2).empty());
  CHECK(harness.pending_updates(bot_id) == 2);
  CHECK(session.closed());  // the bot ended, and its session with it
}
