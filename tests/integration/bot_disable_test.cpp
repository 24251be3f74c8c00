// `hangar bot disable` against a running serve: within 2 s (plus a stated margin) the bot stops
// polling and replying while its neighbours carry on; `hangar bot enable` brings it back, and
// the messages written meanwhile are answered then. Serve polls with a 1 s long-poll timeout, so
// a live bot calls getUpdates every second even with nothing to fetch.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/bot_checks.hpp"
#include "tests/support/budget_helpers.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/polling_bots.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;

TEST_CASE("bot disable stops polling and replying, and enable brings it back with nothing lost") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url(), {"--tuning", "poll_timeout=1s"});
  const auto tokens = start_polling_bots(server, sim, 2, "bot-");
  const std::string& token = tokens[0];      // bot-0, disabled and enabled
  const std::string& neighbour = tokens[1];  // bot-1, left alone
  const std::int64_t chat = 5;

  // The check below must be able to fail: against the running bot it sees calls and a reply.
  const Silence live = watch_silence(sim, token, chat, "while-enabled", 1500ms);
  INFO("running: " << live.describe());
  REQUIRE_FALSE(live.silent());
  CHECK(live.replies == 1);
  CHECK(live.get_updates >= 1);

  // /api/bots says "stopped" as soon as the database does; /metrics and the sockets tell when
  // serve itself followed.
  const auto pid = server.process().pid();
  const auto connections = tcp_connections(pid, sim.port());
  const auto disabled = run_cli_ok(server, {"bot", "disable", "bot-0"});
  check_followed(
      seconds_until(
          [&] {
            return metric_sum(server.metrics(), "hangar_bots", {{"state", "stopped"}}) == 1;
          },
          disabled),
      "bot disable: hangar_bots{state=\"stopped\"} is 1");
  check_followed(
      seconds_until([&] { return tcp_connections(pid, sim.port()) < connections; }, disabled),
      "bot disable: its connections closed");
  // From 2 s after the command on: no call and no reply, though a live bot would poll every
  // second and answer at once.
  std::this_thread::sleep_until(disabled + follow_contract);
  const Silence silence = watch_silence(sim, token, chat, "while-disabled");
  INFO("disabled: " << silence.describe());
  CHECK(silence.silent());
  CHECK(server.bot("bot-0")["state"] == "stopped");

  // Its neighbour carries on meanwhile.
  inject(sim, neighbour, chat, "next door");
  CHECK(wait_for_sent(sim, neighbour, chat, 1, 10s));

  // Enabled again: it polls, and answers what was written while it was disabled.
  const auto enabled = run_cli_ok(server, {"bot", "enable", "bot-0"});
  check_followed(seconds_until([&] { return sent_texts(sim, token, chat).size() >= 2; }, enabled),
                 "bot enable: the message written while disabled answered");
  CHECK(wait_until([&] { return server.bot("bot-0").value("state", "") == "running"; }, 10s));
  inject(sim, token, chat, "after enable");
  REQUIRE(wait_for_sent(sim, token, chat, 3, 10s));
  std::this_thread::sleep_for(300ms);  // a duplicate would show
  CHECK(sent_texts(sim, token, chat) ==
        std::vector<std::string>{"while-enabled", "while-disabled", "after enable"});
  CHECK(sent_texts(sim, neighbour, chat) == std::vector<std::string>{"next door"});
  // Switched off and on at the operator's word: not a crash, and the neighbour never restarted.
  CHECK(events_where(bot_events(server, "bot-0"), {{"reason", "crash"}}).empty());
  CHECK(server.bot("bot-1")["restarts"] == 0);
  CHECK(metric_sum(server.metrics(), "hangar_bots", {{"state", "stopped"}}) == 0);
}
