// Acceptance, Crash: `serve` is SIGKILLed while counter bots are under traffic and started again
// on the same database. No message goes unanswered, no chat's count goes backwards, and
// duplicates stay within the README's bound: at most one per chat that was mid-update at each
// crash.
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/counter_users.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/polling_bots.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;

namespace {

constexpr int bot_count = 4;
constexpr int chats_per_bot = 5;
constexpr std::size_t crashes = 2;  // the second also hits a serve that is replaying its inbox

}  // namespace

TEST_CASE("SIGKILL under traffic loses no message and never rewinds a count") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url());
  const std::vector<std::string> tokens =
      start_polling_bots(server, sim, bot_count, "crash", "counter");

  // About 1000 messages/s in all: work is in flight at each crash.
  CounterUsers users(sim, tokens, {chats_per_bot, 100, 20ms});
  for (std::size_t crash = 0; crash < crashes; ++crash) {
    const auto replies_before = sent_count(sim, tokens[0]);
    REQUIRE(wait_until([&] { return sent_count(sim, tokens[0]) >= replies_before + 100; }, 30s));
    server.kill();
    std::this_thread::sleep_for(300ms);
    server.start();
  }
  const auto replies_after_restart = sent_count(sim, tokens[0]);
  REQUIRE(
      wait_until([&] { return sent_count(sim, tokens[0]) >= replies_after_restart + 100; }, 30s));
  users.stop();

  CHECK(wait_until([&] { return users.all_answered(); }, 60s, 200ms));
  std::this_thread::sleep_for(1s);  // late duplicates, if any, count too

  // A chat handles one update at a time, so each crash can repeat at most its one reply.
  users.check_replies(crashes);
}
