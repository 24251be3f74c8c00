// Issue 8, graceful shutdown: on SIGTERM a bot stops polling and confirms its offset, and each
// chat finishes the update in hand (its reply sent, its handled-mark written) within
// drain_timeout; serve then exits 0. Past the timeout it stops what is left and exits 1; a second
// signal exits at once with 128 + the signal. Nothing is lost either way.
#include <csignal>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/polling_bots.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::int64_t chat = 4;

// serve with one `slow:DELAY` bot, which has taken "slow one" into its chat and is waiting to
// answer it (and has answered "quick", whose offset it holds).
struct SlowReply {
  SlowReply(const std::string& delay, std::vector<std::string> flags) {
    flags.insert(flags.end(), {"--tuning", "poll_timeout=2s"});
    server.emplace(dir, sim.base_url(), flags);
    token = start_polling_bots(*server, sim, 1, "slow", "slow:" + delay)[0];
    inject(sim, token, chat, "quick");
    REQUIRE(wait_for_sent(sim, token, chat, 1, 10s));
    inject(sim, token, chat, "slow one");
    // Taken: committed, so the sim holds it until the next poll's offset confirms it.
    REQUIRE(wait_until([&] { return sim.counters(token).get_updates >= 4; }, 10s));
    std::this_thread::sleep_for(300ms);
  }

  hangar::sim::Simulator sim;
  TempDir dir;
  std::optional<HangarServer> server;
  std::string token;
};

}  // namespace

TEST_CASE("SIGTERM lets a chat finish its reply, confirms the offset, and exits 0") {
  SlowReply serve("1500ms", {});
  serve.server->process().terminate();
  const auto status = serve.server->process().wait_for(15s);
  REQUIRE(status.has_value());
  CHECK(status->code == 0);
  // It waited for the reply, which was due after the signal.
  CHECK(sent_texts(serve.sim, serve.token, chat) == std::vector<std::string>{"quick", "slow one"});
  // The last getUpdates confirmed everything it had: the Bot API holds nothing for it.
  CHECK(serve.sim.counters(serve.token).pending == 0);

  // A new start answers nothing again.
  serve.server->start();
  inject(serve.sim, serve.token, chat, "after");
  REQUIRE(wait_for_sent(serve.sim, serve.token, chat, 3, 10s));
  std::this_thread::sleep_for(500ms);
  CHECK(sent_texts(serve.sim, serve.token, chat) ==
        std::vector<std::string>{"quick", "slow one", "after"});
}

TEST_CASE("past drain_timeout serve stops what is left and exits 1, and nothing is lost") {
  SlowReply serve("3s", {"--tuning", "drain_timeout=300ms"});
  const auto start = Clock::now();
  serve.server->process().terminate();
  const auto status = serve.server->process().wait_for(15s);
  REQUIRE(status.has_value());
  CHECK(status->code == 1);
  CHECK(Clock::now() - start < 2500ms);
  CHECK(sent_texts(serve.sim, serve.token, chat) == std::vector<std::string>{"quick"});

  // The update stayed in the inbox: the next start answers it.
  serve.server->start();
  CHECK(wait_for_sent(serve.sim, serve.token, chat, 2, 15s));
  CHECK(sent_texts(serve.sim, serve.token, chat) == std::vector<std::string>{"quick", "slow one"});
}

TEST_CASE("a second SIGTERM while draining exits at once with 143") {
  SlowReply serve("30s", {"--tuning", "drain_timeout=60s"});
  serve.server->process().terminate();
  std::this_thread::sleep_for(300ms);
  REQUIRE(serve.server->running());  // draining: waiting for the slow reply
  const auto start = Clock::now();
  serve.server->process().terminate();
  const auto status = serve.server->process().wait_for(5s);
  REQUIRE(status.has_value());
  CHECK(status->code == 128 + SIGTERM);
  CHECK(Clock::now() - start < 2s);
  CHECK(serve.server->log().find("exiting at once") != std::string::npos);
}
