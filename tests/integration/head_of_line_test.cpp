// Acceptance, No head-of-line blocking: one chat whose behaviour is slow does not delay the other
// chats of the same bot.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;
using Clock = std::chrono::steady_clock;

TEST_CASE("a slow chat does not hold up the other chats of its bot") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url());
  const std::string token = test_token(1);
  server.add_bot(token, "sloth", "slow:3s");
  server.start();
  REQUIRE(wait_for_polls(sim, token, 1, 15s));

  // Warm up the bot's send path so the measurement below is about blocking, not first use.
  inject(sim, token, 99, "warm up");
  REQUIRE(wait_for_sent(sim, token, 99, 1, 10s));

  const std::int64_t slow_chat = 1;
  const std::vector<std::int64_t> other_chats{2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  const auto start = Clock::now();
  inject(sim, token, slow_chat, "slow x");
  for (auto chat : other_chats) inject(sim, token, chat, "quick " + std::to_string(chat));

  auto others_answered = [&] {
    for (auto chat : other_chats)
      if (sent_texts(sim, token, chat).empty()) return false;
    return true;
  };
  REQUIRE(wait_until(others_answered, 10s, 10ms));
  const auto others_done = Clock::now() - start;
  INFO("other chats answered after " << std::chrono::duration<double>(others_done).count() << " s");
  CHECK(others_done < 1s);
  CHECK(sent_texts(sim, token, slow_chat).empty());
  for (auto chat : other_chats)
    CHECK(sent_texts(sim, token, chat) ==
          std::vector<std::string>{"quick " + std::to_string(chat)});

  REQUIRE(wait_for_sent(sim, token, slow_chat, 1, 10s));
  const auto slow_done = Clock::now() - start;
  INFO("slow chat answered after " << std::chrono::duration<double>(slow_done).count() << " s");
  CHECK(slow_done >= 2900ms);
  CHECK(sent_texts(sim, token, slow_chat) == std::vector<std::string>{"slow x"});
}
