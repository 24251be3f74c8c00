// A config change that arrives while its bot is stopping: the supervisor has told the bot actor
// to end (for a disable, a new token, or its memory) and the bot has not ended yet when the next
// change comes. Whatever the mix, once the bot has ended the fleet follows the newest config.
#include <catch2/catch.hpp>

#include <functional>

#include "storage/bot_repository.hpp"
#include "tests/unit/actors/fleet_harness.hpp"

using namespace hangar;
using namespace hangar::test;

namespace {

struct RunningBot {
  // Makes a change and lets the supervisor read it and act (tell its bot to stop), but not the
  // bot end yet.
  void change(const std::function<void(storage::BotRepository&)>& edit) {
    storage::BotRepository bots(harness.db());
    edit(bots);
    harness.reload();
    harness.run_supervisor();  // it posts its read of the table...
    harness.run_storage();     // ...which completes into its mailbox...
    harness.run_supervisor();  // ...and it reconciles
  }
  void change_token(const std::string& new_token) {
    change([&](storage::BotRepository& bots) {
      storage::BotChanges changes;
      changes.token = new_token;
      bots.update(bot_id, changes);
    });
  }

  FleetHarness harness;
  const std::int64_t bot_id = harness.start_with_bot("alpha");
  const std::string token = FleetHarness::token_of("alpha");
};

}  // namespace

TEST_CASE("a bot disabled and enabled again before it has stopped runs again") {
  RunningBot fleet;
  fleet.change([&](storage::BotRepository& bots) { bots.set_enabled(fleet.bot_id, false); });
  fleet.change([&](storage::BotRepository& bots) { bots.set_enabled(fleet.bot_id, true); });
  fleet.harness.settle();

  // The first session ended with the old actor; a fresh actor polls on a new one.
  REQUIRE(fleet.harness.sessions(fleet.token).size() == 2);
  CHECK(fleet.harness.sessions(fleet.token).front()->closed());
  CHECK(fleet.harness.session(fleet.token).polling());
  CHECK(fleet.harness.fleet().find(fleet.bot_id)->state == BotState::running);
}

TEST_CASE("a bot disabled, then given a new token before it has stopped, starts with that token") {
  RunningBot fleet;
  const auto new_token = FleetHarness::token_of("alpha-2");
  fleet.change([&](storage::BotRepository& bots) { bots.set_enabled(fleet.bot_id, false); });
  fleet.change([&](storage::BotRepository& bots) {
    storage::BotChanges changes;
    changes.token = new_token;
    bots.update(fleet.bot_id, changes);
    bots.set_enabled(fleet.bot_id, true);
  });
  fleet.harness.settle();

  CHECK(fleet.harness.sessions(fleet.token).front()->closed());
  REQUIRE(fleet.harness.sessions(new_token).size() == 1);
  CHECK(fleet.harness.session(new_token).polling());
}

TEST_CASE("a new token that comes while the bot restarts for an earlier one is the one it runs") {
  RunningBot fleet;
  const auto second = FleetHarness::token_of("alpha-2");
  const auto third = FleetHarness::token_of("alpha-3");
  for (const auto& token : {second, third}) fleet.change_token(token);
  fleet.harness.settle();

  CHECK(fleet.harness.sessions(second).empty());
  REQUIRE(fleet.harness.sessions(third).size() == 1);
  CHECK(fleet.harness.session(third).polling());
  CHECK(fleet.harness.fleet().find(fleet.bot_id)->restarts == 1);  // one restart, reason config
}

TEST_CASE("a bot removed while it stops for a new token is gone for good") {
  RunningBot fleet;
  const auto second = FleetHarness::token_of("alpha-2");
  fleet.change_token(second);
  fleet.change([&](storage::BotRepository& bots) { bots.remove(fleet.bot_id); });
  fleet.harness.settle();

  CHECK(fleet.harness.sessions(second).empty());
  CHECK(fleet.harness.fleet().find(fleet.bot_id) == nullptr);
}

TEST_CASE("a bot disabled while it stops for a new token stays listed as stopped") {
  RunningBot fleet;
  const auto second = FleetHarness::token_of("alpha-2");
  fleet.change_token(second);
  fleet.change([&](storage::BotRepository& bots) { bots.set_enabled(fleet.bot_id, false); });
  fleet.harness.settle();

  CHECK(fleet.harness.sessions(fleet.token).front()->closed());
  CHECK(fleet.harness.sessions(second).empty());
  // Unlike a deleted bot, it keeps its figures, with the state that says why it does not run.
  const auto status = fleet.harness.fleet().find(fleet.bot_id);
  REQUIRE(status != nullptr);
  CHECK(status->state == BotState::stopped);
}
