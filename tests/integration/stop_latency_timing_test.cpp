// Timing group: how soon a budget stop follows the crossing, a bound that holds only in the
// optimised build on a quiet machine (chat_budget_test.cpp checks the same stops for
// correctness in the parallel group; budget_containment_test.cpp bounds bot-budget stops).
//
// With --chat-memory-budget 256KiB and leak:64KiB, a chat actor crosses its budget on the 4th
// update it handles and stops before acting on it: stopped_at - crossed_at within 100 ms.
#include <catch2/catch.hpp>

#include <string>

#include "sim/simulator.hpp"
#include "tests/support/budget_helpers.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/polling_bots.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;

TEST_CASE("a chat past its budget is stopped within 100 ms of crossing it") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url(), {"--chat-memory-budget", "256KiB"});
  const auto tokens = start_polling_bots(server, sim, 1, "leaky", "leak:64KiB");
  // Chats 1 to 3 cross their budgets on their 4th updates; each replays it in a fresh actor.
  for (std::int64_t chat = 1; chat <= 3; ++chat)
    for (int i = 1; i <= 6; ++i) inject(sim, tokens[0], chat, "m" + std::to_string(i));
  for (std::int64_t chat = 1; chat <= 3; ++chat)
    REQUIRE(wait_for_sent(sim, tokens[0], chat, 6, 20s));

  nlohmann::json restarts;  // events are stored a moment after what they record
  wait_until(
      [&] {
        restarts = bot_events(server, "leaky0", "restart");
        return restarts.size() >= 3;
      },
      10s);
  INFO("events:\n" << describe_events(restarts));
  REQUIRE(restarts.size() == 3);
  for (const auto& event : restarts) {
    INFO(event.dump());
    CHECK(event["reason"] == "budget");
    CHECK_FALSE(event["chat"].is_null());
    const auto gap = stop_gap_ms(event);
    WARN("chat " << event["chat"] << " stopped " << gap << " ms after crossing its budget");
    CHECK(gap >= 0);
    CHECK(gap <= 100);
  }
}
