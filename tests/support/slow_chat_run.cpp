#include "tests/support/slow_chat_run.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

#include "tests/support/polling_bots.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

namespace hangar::test {

SlowChatRun run_slow_chat(sim::Simulator& sim, HangarServer& server) {
  using Clock = std::chrono::steady_clock;
  const std::string token = start_polling_bots(server, sim, 1, "sloth", "slow:3s").front();
  inject(sim, token, 99, "warm up");
  REQUIRE(wait_for_sent(sim, token, 99, 1, 10s));

  SlowChatRun run;
  for (std::int64_t chat = 2; chat <= 11; ++chat) run.other_chats.push_back(chat);
  const auto start_us =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
          .count();
  inject(sim, token, SlowChatRun::slow_chat, "slow x");
  for (auto chat : run.other_chats) inject(sim, token, chat, "quick " + std::to_string(chat));

  auto all_answered = [&] {
    if (sim.sent(token, SlowChatRun::slow_chat).empty()) return false;
    for (auto chat : run.other_chats)
      if (sim.sent(token, chat).empty()) return false;
    return true;
  };
  REQUIRE(wait_until(all_answered, 10s, 10ms));
  std::this_thread::sleep_for(200ms);  // a duplicate would show
  auto seconds_after_start = [&](const sim::SentMessage& message) {
    return static_cast<double>(message.at_us - start_us) / 1e6;
  };
  for (auto chat : run.other_chats) {
    run.replies[chat] = sent_texts(sim, token, chat);
    run.others_answered_s =
        std::max(run.others_answered_s, seconds_after_start(sim.sent(token, chat).front()));
  }
  run.replies[SlowChatRun::slow_chat] = sent_texts(sim, token, SlowChatRun::slow_chat);
  run.slow_answered_s = seconds_after_start(sim.sent(token, SlowChatRun::slow_chat).front());
  return run;
}

}  // namespace hangar::test
