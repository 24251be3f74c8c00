// Bounds: a bot's inbox holds --inbox-limit updates; while it is full the bot stops calling
// getUpdates (the Bot API keeps the rest), and once its chats drain it below the limit, polling
// resumes and nothing is lost.
//
// With --inbox-limit 5 and a `slow:3s` bot, ten "slow" messages waiting before serve starts
// arrive in the bot's first getUpdates batch and fill its inbox for 3 s: a chat leaves an update
// in the inbox until it has answered it. Quick messages written meanwhile must wait in the
// simulator, unfetched, though serve polls with a 1 s long-poll timeout and a bot that kept
// polling would fetch and answer them at once.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/budget_helpers.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/log_lines.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;
using Clock = std::chrono::steady_clock;

TEST_CASE("a full inbox pauses polling until the chats drain it, and nothing is lost") {
  hangar::sim::Simulator sim;
  TempDir dir;
  constexpr std::size_t limit = 5;
  HangarServer server(dir, sim.base_url(),
                      {"--inbox-limit", std::to_string(limit), "--tuning", "poll_timeout=1s",
                       "--tuning", "inbox_recheck=100ms"});
  const std::string token = test_token(1);
  server.add_bot(token, "sloth", "slow:3s");
  Written written;
  constexpr int slow_messages = 10;
  for (int chat = 1; chat <= slow_messages; ++chat)
    write_message(sim, written, token, chat, "slow " + std::to_string(chat));
  server.start();

  // The first batch took all ten: the inbox is full, and serve says polling paused.
  auto paused_lines = [&] { return lines_mentioning(server.log(), {"sloth", "inbox full"}); };
  const bool paused = wait_until([&] { return !paused_lines().empty(); }, 15s, 10ms);
  INFO("serve log:\n" << log_tail(server));
  REQUIRE(paused);
  const auto paused_at = Clock::now();
  const auto at_pause = sim.counters(token);
  CHECK_THAT(paused_lines().front(), Catch::Contains("(" + std::to_string(slow_messages)));

  // Written while the inbox is full.
  std::vector<std::string> quick;
  for (int chat = 21; chat <= 25; ++chat) {
    quick.push_back("quick " + std::to_string(chat));
    write_message(sim, written, token, chat, quick.back());
  }

  // Until the first slow reply, the bot makes no call at all: it neither polls nor fetches the
  // quick messages. (The last reading with no reply sent covers the whole pause up to then.)
  auto during_pause = at_pause;
  const bool drained = wait_until(
      [&] {
        const auto counters = sim.counters(token);
        if (counters.sent > 0) return true;
        during_pause = counters;
        return false;
      },
      15s, 10ms);
  const double paused_for_s = std::chrono::duration<double>(Clock::now() - paused_at).count();
  REQUIRE(drained);
  INFO("paused for " << paused_for_s << " s before the first slow reply");
  CHECK(during_pause.get_updates == at_pause.get_updates);
  CHECK(during_pause.calls == at_pause.calls);
  CHECK(paused_for_s >= 1.0);  // long enough that a bot still polling would have shown it

  // Drained, it polls again and answers everything, each once.
  std::vector<std::string> examples;
  const bool answered = wait_until([&] { return written.unanswered(sim, token) == 0; }, 20s, 50ms);
  const auto missing = written.unanswered(sim, token, &examples);
  INFO(missing << " unanswered, e.g. " << nlohmann::json(examples).dump());
  REQUIRE(answered);
  CHECK(sim.counters(token).get_updates > at_pause.get_updates);
  std::this_thread::sleep_for(300ms);  // a duplicate would show
  CHECK(sent_count(sim, token) == static_cast<std::size_t>(slow_messages) + quick.size());

  // The quick messages were fetched only once the inbox had drained below the limit: after at
  // least slow_messages - limit + 1 slow replies.
  std::vector<std::int64_t> slow_reply_us;
  std::int64_t first_quick_reply_us = INT64_MAX;
  for (const auto& message : sim.sent(token)) {
    if (message.text.rfind("slow", 0) == 0) slow_reply_us.push_back(message.at_us);
    if (message.text.rfind("quick", 0) == 0)
      first_quick_reply_us = std::min(first_quick_reply_us, message.at_us);
  }
  std::sort(slow_reply_us.begin(), slow_reply_us.end());
  REQUIRE(slow_reply_us.size() == static_cast<std::size_t>(slow_messages));
  const auto drained_below_limit_us = slow_reply_us[slow_messages - limit];
  WARN("polling paused for " << paused_for_s << " s; the first quick reply came "
                             << (first_quick_reply_us - drained_below_limit_us) / 1000
                             << " ms after the inbox drained below " << limit);
  CHECK(first_quick_reply_us > drained_below_limit_us);
}
