// Acceptance, Containment (issue 3): ten `echo` bots and one `leak:64KiB` bot with a 4 MiB bot
// budget (and a 64 MiB chat budget, so the bot's budget is the one that trips) each get 200
// messages over 60 s. The leak bot is restarted about 3 times, each within 100 ms of crossing;
// its live_bytes, sampled every 10 ms, never exceeds its budget + 256 KiB; the echo bots are
// never restarted; and every message to every bot is answered, the leak bot's included.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/budget_helpers.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int echo_bots = 10;
constexpr int messages_per_bot = 200;
constexpr auto feed_time = 60s;
constexpr int chats_per_bot = 5;
constexpr std::int64_t first_chat = 1000;
constexpr std::uint64_t leak_per_update = 64 * 1024;
constexpr std::uint64_t bot_budget = 4 * 1024 * 1024;
constexpr std::uint64_t sample_slack = 256 * 1024;  // the acceptance's "budget + 256 KiB"
constexpr std::int64_t max_stop_gap_ms = 100;

// One round every 300 ms: a message to each bot, its chats taken in turn, each text unique.
class Feeder {
 public:
  Feeder(hangar::sim::Simulator& sim, Written& written, std::vector<std::string> tokens)
      : sim_(sim), written_(written), tokens_(std::move(tokens)), thread_([this] { run(); }) {}
  ~Feeder() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  std::string error() const { return error_; }  // valid after join()

 private:
  void run() {
    const auto period =
        std::chrono::duration_cast<std::chrono::milliseconds>(feed_time) / messages_per_bot;
    auto next = Clock::now();
    try {
      for (int round = 0; round < messages_per_bot; ++round) {
        for (std::size_t b = 0; b < tokens_.size(); ++b)
          write_message(sim_, written_, tokens_[b], first_chat + round % chats_per_bot,
                        "bot" + std::to_string(b) + "-msg" + std::to_string(round));
        next += period;
        std::this_thread::sleep_until(next);
      }
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }

  hangar::sim::Simulator& sim_;
  Written& written_;
  std::vector<std::string> tokens_;
  std::string error_;
  std::thread thread_;
};

// 200 x 64 KiB through a 4 MiB budget: about 3 trips, each a budget restart of the bot itself.
void check_leaky_restarts(const nlohmann::json& restarts) {
  CHECK(restarts.size() >= 2);
  CHECK(restarts.size() <= 5);
  for (const auto& event : restarts) {
    INFO(event.dump());
    CHECK(event["reason"] == "budget");
    CHECK(event["chat"].is_null());
  }
}

}  // namespace

TEST_CASE("a leaking bot is restarted within its budget and no other bot notices") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url(), {"--chat-memory-budget", "64MiB"});

  std::vector<std::string> tokens;
  for (int b = 0; b < echo_bots; ++b) {
    tokens.push_back(test_token(b));
    server.add_bot(tokens.back(), "echo" + std::to_string(b), "echo");
  }
  const std::string leak_token = test_token(echo_bots);
  tokens.push_back(leak_token);
  {
    RunResult added = server.run_cli({"bot", "add", "--token", leak_token, "--name", "leaky",
                                      "--behavior", "leak:64KiB", "--memory-budget", "4MiB"});
    INFO("bot add stderr: " << added.err);
    REQUIRE(added.status.code == 0);
  }
  server.start();
  for (const auto& token : tokens) REQUIRE(wait_for_polls(sim, token, 1, 15s));
  REQUIRE(wait_until([&] { return server.bot("leaky").value("state", "") == "running"; }, 10s));
  const auto leaky_id = bot_id(server, "leaky");
  CHECK(server.bot("leaky")["memory_budget"] == bot_budget);

  BotSampler sampler(server.port(), leaky_id, 10ms);
  Written written;
  const auto feed_start = Clock::now();
  Feeder feeder(sim, written, tokens);
  feeder.join();
  const double fed_s = std::chrono::duration<double>(Clock::now() - feed_start).count();
  REQUIRE(feeder.error().empty());

  // Every message to every bot is answered, at least once.
  auto unanswered = [&] {
    std::size_t missing = 0;
    for (const auto& token : tokens) missing += written.unanswered(sim, token);
    return missing;
  };
  const bool all_answered = wait_until([&] { return unanswered() == 0; }, 30s, 200ms);
  sampler.stop();

  const auto leak_events = bot_events(server, "leaky");
  const auto restarts = events_where(leak_events, {{"kind", "restart"}});
  const auto leaky = server.bot("leaky");
  const auto metrics = server.metrics();
  WARN("fed " << messages_per_bot << " messages to each of " << tokens.size() << " bots in "
              << fed_s << " s; leaky: " << restarts.size() << " restart events, restarts="
              << leaky["restarts"] << "; live_bytes sampled " << sampler.samples() << " times ("
              << sampler.failures() << " failed, longest gap " << sampler.max_gap_ms()
              << " ms), max " << sampler.max_live_bytes() << " bytes of a " << bot_budget
              << " budget (limit " << bot_budget + sample_slack << ")\nleaky's events:\n"
              << describe_events(leak_events));

  for (const auto& token : tokens) {
    std::vector<std::string> examples;
    const auto missing = written.unanswered(sim, token, &examples);
    INFO("bot with token #" << (&token - &tokens[0]) << ": " << missing << " of "
                            << written.count(token) << " unanswered, e.g. "
                            << nlohmann::json(examples).dump());
    CHECK(missing == 0);
    CHECK(written.count(token) == static_cast<std::size_t>(messages_per_bot));
  }
  CHECK(all_answered);

  check_leaky_restarts(restarts);
  for (const auto& event : restarts) {
    INFO(event.dump());
    CHECK(event["bot"] == "leaky");
    CHECK(event["budget"] == bot_budget);
    REQUIRE(event["live_bytes"].is_number());
    CHECK(event["live_bytes"].get<std::uint64_t>() > bot_budget);
    CHECK(event["live_bytes"].get<std::uint64_t>() <= bot_budget + sample_slack);
    const auto gap = stop_gap_ms(event);
    CHECK(gap >= 0);
    CHECK(gap <= max_stop_gap_ms);
  }
  CHECK(leaky["restarts"] == restarts.size());
  CHECK(metric_sum(metrics, "hangar_restarts_total", {{"bot", "leaky"}, {"reason", "budget"}}) ==
        Approx(static_cast<double>(restarts.size())));
  CHECK(metric_sum(metrics, "hangar_restarts_total", {{"bot", "leaky"}, {"reason", "crash"}}) == 0);

  // Sampled every 10 ms (a loaded machine samples less often; demand a fair share of samples).
  CHECK(sampler.samples() >= 1000);
  CHECK(sampler.max_live_bytes() <= bot_budget + sample_slack);
  // The leak really was held: the bot got near its budget between restarts.
  CHECK(sampler.max_live_bytes() >= bot_budget - 8 * leak_per_update);

  // The echo bots were never restarted, and said so nowhere.
  for (int b = 0; b < echo_bots; ++b) {
    const std::string name = "echo" + std::to_string(b);
    INFO(name);
    const auto bot = server.bot(name);
    CHECK(bot["restarts"] == 0);
    CHECK(bot["state"] == "running");
    CHECK(bot_events(server, name, "restart").empty());
    CHECK(metric_sum(metrics, "hangar_restarts_total", {{"bot", name}}) == 0);
  }
  INFO("serve log tail:\n" << log_tail(server));
  CHECK(server.running());
}

// Beyond the acceptance's steady 200-in-60-s: the same leak bot handed its messages in one burst
// (as after a network outage, or a backoff, when a whole batch of updates arrives at once).
// The supervisor looks every 10 ms, and in 10 ms a chat can handle many updates: the chats of a
// bot past its budget must take no new update meanwhile.
TEST_CASE("a burst of updates does not carry a leaking bot far past its budget", "[burst]") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url(), {"--chat-memory-budget", "64MiB"});
  const std::string token = test_token(1);
  RunResult added = server.run_cli({"bot", "add", "--token", token, "--name", "leaky", "--behavior",
                                    "leak:64KiB", "--memory-budget", "4MiB"});
  REQUIRE(added.status.code == 0);
  server.start();
  REQUIRE(wait_for_polls(sim, token, 1, 15s));
  const auto sampling_start = Clock::now();
  BotSampler sampler(server.port(), bot_id(server, "leaky"), 10ms);
  Written written;
  for (int i = 0; i < messages_per_bot; ++i)
    write_message(sim, written, token, first_chat + i % chats_per_bot,
                  "burst-" + std::to_string(i));
  const auto burst_start = Clock::now();
  CHECK(wait_until([&] { return written.unanswered(sim, token) == 0; }, 60s, 100ms));
  const double answered_s = std::chrono::duration<double>(Clock::now() - burst_start).count();
  sampler.stop();
  const double sampled_s = std::chrono::duration<double>(Clock::now() - sampling_start).count();
  const auto restarts = bot_events(server, "leaky", "restart");
  std::uint64_t most_held = 0;
  for (const auto& event : restarts)
    most_held = std::max(most_held, event["live_bytes"].get<std::uint64_t>());
  WARN("burst answered in " << answered_s << " s: " << restarts.size()
                            << " restarts; restart events say up to " << most_held
                            << " bytes held; sampled " << sampler.samples() << " times in "
                            << sampled_s << " s (" << sampler.failures() << " failed), max "
                            << sampler.max_live_bytes() << " of a " << bot_budget << " budget\n"
                            << describe_events(restarts));
  // Without restarts, and without samples, the bounds below would hold for a bot that never
  // leaked at all.
  check_leaky_restarts(restarts);
  CHECK(server.bot("leaky")["restarts"] == restarts.size());
  // Sampled every 10 ms while the burst lasted (a tenth of a second or so): demand a fair share
  // of that, and that the samples saw the leak (a few samples over three fast cycles may miss
  // the peaks, so no more than a quarter of the budget).
  const auto expected_samples = static_cast<std::uint64_t>(sampled_s * 100);
  CHECK(sampler.samples() >= std::max<std::uint64_t>(5, expected_samples / 4));
  CHECK(sampler.max_live_bytes() >= bot_budget / 4);
  CHECK(most_held <= bot_budget + sample_slack);
  CHECK(sampler.max_live_bytes() <= bot_budget + sample_slack);
}
