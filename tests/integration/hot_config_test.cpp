// Acceptance, Hot config: `hangar bot add/remove/set` from another process while `serve` runs
// take effect within 2 s (measured, with a stated margin for a loaded machine), and a removed
// bot's connections close. Serve polls with a 1 s long-poll timeout, so a bot that is still
// alive calls getUpdates every second whether or not a message wakes it.
#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <string>
#include <thread>

#include "sim/simulator.hpp"
#include "tests/support/bot_checks.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;
using Clock = std::chrono::steady_clock;

TEST_CASE("serve follows bot changes made with the CLI") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url(), {"--tuning", "poll_timeout=1s"});
  const std::string resident = test_token(1);  // so serve has a fleet before the change
  server.add_bot(resident, "resident");
  server.start();
  REQUIRE(wait_for_polls(sim, resident, 1, 15s));

  SECTION("a bot added while serve runs is polling within 2 s") {
    const std::string token = test_token(2);
    const auto added = run_cli_ok(server, {"bot", "add", "--token", token, "--name", "newcomer"});
    check_followed(seconds_until([&] { return sim.counters(token).get_updates >= 1; }, added),
                   "bot add: first getUpdates");
    check_followed(
        seconds_until([&] { return server.bot("newcomer").value("state", "") == "running"; },
                      added),
        "bot add: state running in /api/bots");
    inject(sim, token, 7, "hello");
    REQUIRE(wait_for_sent(sim, token, 7, 1, 10s));
    CHECK(sent_texts(sim, token, 7).front() == "hello");
  }

  SECTION("a removed bot stops polling and closes its connections") {
    const auto pid = server.process().pid();
    const std::size_t resident_connections = tcp_connections(pid, sim.port());
    const std::string token = test_token(3);
    run_cli_ok(server, {"bot", "add", "--token", token, "--name", "leaver"});
    REQUIRE(wait_for_polls(sim, token, 1, 10s));
    inject(sim, token, 7, "open the second connection");
    REQUIRE(wait_for_sent(sim, token, 7, 1, 10s));
    CHECK(tcp_connections(pid, sim.port()) > resident_connections);

    const auto removed = run_cli_ok(server, {"bot", "remove", "leaver"});
    check_followed(seconds_until([&] { return server.bot("leaver").is_null(); }, removed),
                   "bot remove: gone from /api/bots");
    // Only the resident bot's connections to sim/ may remain.
    check_followed(
        seconds_until([&] { return tcp_connections(pid, sim.port()) <= resident_connections; },
                      removed),
        "bot remove: connections closed");
    // From 2 s after the command on, the bot is gone: a message draws no call and no reply.
    std::this_thread::sleep_until(removed + follow_contract);
    const Silence silence = watch_silence(sim, token, 7, "anyone there?");
    INFO(silence.describe());
    CHECK(silence.silent());
    CHECK(tcp_connections(pid, sim.port()) <= resident_connections);
  }

  SECTION("bot set --behavior takes effect within 2 s, and no message is lost meanwhile") {
    inject(sim, resident, 9, "before");
    REQUIRE(wait_for_sent(sim, resident, 9, 1, 10s));
    CHECK(sent_texts(sim, resident, 9).back() == "before");

    const auto set = run_cli_ok(server, {"bot", "set", "resident", "--behavior", "counter"});
    // A message every 200 ms until one is answered in the counter's form.
    int probes = 0;
    auto next_probe = set;
    const auto took = seconds_until(
        [&] {
          if (Clock::now() >= next_probe) {
            inject(sim, resident, 9, "after-" + std::to_string(++probes));
            next_probe += 200ms;
          }
          for (const auto& reply : sent_texts(sim, resident, 9))
            if (counter_value(reply) >= 1) return true;
          return false;
        },
        set);
    check_followed(took, "bot set --behavior: first reply in the new behaviour");

    // Every probe is answered, in one form or the other; a restart may repeat at most the one
    // reply the chat had in hand (README, Durability).
    REQUIRE(wait_for_sent(sim, resident, 9, 1 + probes, 10s));
    std::this_thread::sleep_for(300ms);  // a late duplicate would show
    const auto replies = sent_texts(sim, resident, 9);
    INFO("replies: " << nlohmann::json(replies).dump());
    std::set<std::string> answered;
    for (const auto& reply : replies)
      answered.insert(counter_value(reply) >= 1 ? reply.substr(reply.find(' ') + 1) : reply);
    for (int i = 1; i <= probes; ++i) CHECK(answered.count("after-" + std::to_string(i)) == 1);
    CHECK(replies.size() <= static_cast<std::size_t>(1 + probes + 1));
    const std::string last = replies.back();
    CHECK(counter_value(last) >= 1);
    CHECK(last.substr(last.find(' ') + 1) == "after-" + std::to_string(probes));
  }
}
