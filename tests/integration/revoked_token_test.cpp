// A revoked token, against the real serve and sim: a bot whose token the Bot API refuses (401 on
// any call, or 404 on getMe) shows `unauthorized` and makes no further call, across restarts of
// serve, until the operator gives a token (`bot set --token`) or enables it (`bot enable`, though
// it is enabled). The messages written meanwhile are answered then, and its neighbour never
// notices. Failed steps retry every 50 to 400 ms here, so a bot that kept calling would show.
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

namespace {

constexpr std::int64_t chat = 5;

const std::vector<std::string> fast_retries = {"--tuning", "poll_timeout=1s",
                                               "--tuning", "api_backoff_first=50ms",
                                               "--tuning", "api_backoff_max=400ms"};

std::string state_of(const HangarServer& server, const std::string& name) {
  return server.bot(name).value("state", "");
}

// The bot's Bot API calls stay at `calls` for `how_long`.
void check_no_calls(const hangar::sim::Simulator& sim, const std::string& token,
                    std::uint64_t calls, std::chrono::milliseconds how_long) {
  std::this_thread::sleep_for(how_long);
  CHECK(sim.counters(token).calls == calls);
}

}  // namespace

TEST_CASE("a revoked token stops the bot's calls until bot enable, and nothing is lost") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url(), fast_retries);
  const auto tokens = start_polling_bots(server, sim, 2, "bot-");
  const std::string& revoked = tokens[0];
  const std::string& neighbour = tokens[1];

  hangar::sim::Faults fault;
  fault.revoked = true;
  sim.set_faults(revoked, fault);
  // Its long poll in flight ends within a second; the next call is refused.
  REQUIRE(wait_until([&] { return state_of(server, "bot-0") == "unauthorized"; }, 10s));
  const auto shown = server.bot("bot-0");
  CHECK(shown["state_reason"] == "token_rejected");
  CHECK(shown["next_retry_at"].is_null());
  CHECK(shown["unauthorized"] == true);
  CHECK_THAT(shown.value("last_error", ""), Catch::Contains("401"));
  const auto events = await_bot_events(server, "bot-0", "unauthorized", 5s);
  REQUIRE(events.size() == 1);
  CHECK(events[0]["reason"] == "token_rejected");
  CHECK_THAT(events[0].value("detail", ""), Catch::Contains("hangar bot enable"));
  CHECK_THAT(server.run_cli({"bot", "list"}).out, Catch::Contains("unauthorized"));

  // Users keep writing; the bot makes no call at all, where a retrying bot would make dozens.
  std::this_thread::sleep_for(200ms);
  const auto calls = sim.counters(revoked).calls;
  inject(sim, revoked, chat, "while revoked");
  check_no_calls(sim, revoked, calls, 2s);
  inject(sim, neighbour, chat, "next door");
  CHECK(wait_for_sent(sim, neighbour, chat, 1, 10s));

  // Across a restart of serve too: the bots table remembers, with the reason.
  server.stop();
  server.start();
  inject(sim, neighbour, chat, "after the restart");
  CHECK(wait_for_sent(sim, neighbour, chat, 2, 10s));
  CHECK(state_of(server, "bot-0") == "unauthorized");
  CHECK_THAT(server.bot("bot-0").value("last_error", ""), Catch::Contains("401"));
  // The token works again, but only the operator can know that.
  sim.set_faults(revoked, {});
  check_no_calls(sim, revoked, calls, 1500ms);

  const auto enabled = run_cli_ok(server, {"bot", "enable", "bot-0"});
  check_followed(seconds_until([&] { return sent_texts(sim, revoked, chat).size() >= 1; }, enabled),
                 "bot enable: the message written while revoked answered");
  CHECK(wait_until([&] { return state_of(server, "bot-0") == "running"; }, 10s));
  inject(sim, revoked, chat, "after enable");
  REQUIRE(wait_for_sent(sim, revoked, chat, 2, 10s));
  std::this_thread::sleep_for(300ms);  // a duplicate would show
  CHECK(sent_texts(sim, revoked, chat) ==
        std::vector<std::string>{"while revoked", "after enable"});
  CHECK(server.bot("bot-0")["last_error"].is_null());
  CHECK(events_where(bot_events(server, "bot-0", "lift"), {{"reason", "enable"}}).size() == 1);
  CHECK(bot_events(server, "bot-0", "restart").empty());  // never a crash loop
  CHECK(server.bot("bot-1")["restarts"] == 0);
}

TEST_CASE("a 404 on getMe is a refused token, and bot set --token starts the bot again") {
  hangar::sim::Simulator sim;
  const std::string gone = test_token(1);
  const std::string neighbour = test_token(2);
  hangar::sim::Faults fault;
  fault.not_found = true;  // what Telegram answers for a bot that was deleted
  sim.set_faults(gone, fault);
  TempDir dir;
  HangarServer server(dir, sim.base_url(), fast_retries);
  server.add_bot(gone, "gone");
  server.add_bot(neighbour, "fine");
  server.start();

  REQUIRE(wait_until([&] { return state_of(server, "gone") == "unauthorized"; }, 10s));
  CHECK_THAT(server.bot("gone").value("last_error", ""),
             Catch::Contains("getMe") && Catch::Contains("404"));
  inject(sim, gone, chat, "anyone there?");
  check_no_calls(sim, gone, 1, 1500ms);  // the one getMe
  REQUIRE(sim.calls(gone).size() == 1);
  CHECK(sim.calls(gone)[0].method == "getMe");
  inject(sim, neighbour, chat, "next door");
  CHECK(wait_for_sent(sim, neighbour, chat, 1, 10s));

  // The operator fixes the bot and gives its token again.
  sim.set_faults(gone, {});
  const auto set = run_cli_ok(server, {"bot", "set", "gone", "--token", gone});
  check_followed(seconds_until([&] { return sent_texts(sim, gone, chat).size() >= 1; }, set),
                 "bot set --token: the message written meanwhile answered");
  CHECK(sent_texts(sim, gone, chat) == std::vector<std::string>{"anyone there?"});
  CHECK(wait_until([&] { return state_of(server, "gone") == "running"; }, 10s));
}
