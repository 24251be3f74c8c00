// Bot API answers a bot waits out, against the real serve and sim: a webhook someone set (409) is
// deleted once and polling resumes; another poller (409) and server errors (5xx) make the bot
// back off, with a wait that grows from api_backoff_first and is capped at api_backoff_max,
// never shorter than half of its nominal value (the jitter). The state, its reason, the last error
// and the next try are in /api/bots, the streak in /api/events; the neighbour keeps answering,
// and every message written meanwhile is answered once the fault clears.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "platform/core/wall_clock.hpp"
#include "sim/simulator.hpp"
#include "tests/support/budget_helpers.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/polling_bots.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;
using std::chrono::milliseconds;

namespace {

constexpr std::int64_t chat = 5;
constexpr milliseconds first{100};
constexpr milliseconds cap{800};
// A timer may fire late on a loaded machine, never early.
constexpr milliseconds late_margin{500};

std::vector<std::string> serve_flags() {
  return {"--tuning", "poll_timeout=1s",
          "--tuning", "api_backoff_first=" + std::to_string(first.count()) + "ms",
          "--tuning", "api_backoff_max=" + std::to_string(cap.count()) + "ms"};
}

std::string state_of(const HangarServer& server, const std::string& name) {
  return server.bot(name).value("state", "");
}

// Arrival times (steady µs) of the bot's calls of `method` at the simulator, from `since_us` on.
std::vector<std::int64_t> arrivals(const hangar::sim::Simulator& sim, const std::string& token,
                                   const std::string& method, std::int64_t since_us) {
  std::vector<std::int64_t> times;
  for (const auto& call : sim.calls(token))
    if (call.method == method && call.at_us >= since_us) times.push_back(call.at_us);
  return times;
}

std::int64_t steady_now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

// Switches `fault` on for bot-0 of a two-bot fleet and checks the bot backs off as it should,
// showing `state` and `reason`; then clears it and checks nothing was lost.
void check_backoff(const hangar::sim::Faults& fault, const std::string& state,
                   const std::string& reason, const std::string& error) {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url(), serve_flags());
  const auto tokens = start_polling_bots(server, sim, 2, "bot-");
  const std::string& token = tokens[0];
  const std::string& neighbour = tokens[1];

  sim.set_faults(token, fault);
  const auto since = steady_now_us();  // every poll from here on is answered with the fault
  // Read while it waits (not while a retry is in flight): the next try is at most a capped wait
  // away.
  nlohmann::json shown;
  REQUIRE(wait_until(
      [&] {
        shown = server.bot("bot-0");
        return shown.value("state", "") == state && shown["next_retry_at"].is_string();
      },
      10s, 5ms));
  CHECK(shown["state_reason"] == reason);
  CHECK_THAT(shown.value("last_error", ""), Catch::Contains(error));
  CHECK(parse_rfc3339_ms(shown["next_retry_at"]) <= hangar::now_ms() + cap.count() + 50);

  inject(sim, token, chat, "during the fault");
  inject(sim, neighbour, chat, "next door");
  CHECK(wait_for_sent(sim, neighbour, chat, 1, 10s));
  std::this_thread::sleep_for(5s);  // about ten tries

  // The failed polls: the first one, then one after each wait.
  const auto polls = arrivals(sim, token, "getUpdates", since);
  REQUIRE(polls.size() >= 7);
  std::vector<std::int64_t> gaps_ms;
  for (std::size_t i = 1; i < polls.size(); ++i)
    gaps_ms.push_back((polls[i] - polls[i - 1]) / 1000);
  INFO("gaps between tries (ms): " << nlohmann::json(gaps_ms).dump());
  milliseconds nominal = first;
  for (std::size_t i = 0; i < gaps_ms.size(); ++i) {
    CHECK(gaps_ms[i] >= nominal.count() / 2 - 1);      // nothing before the backoff
    CHECK(gaps_ms[i] <= (cap + late_margin).count());  // and capped
    nominal = std::min(2 * nominal, cap);
  }
  // It grows: the last waits are drawn from [cap/2, cap], the first ones far below.
  CHECK(gaps_ms[0] + gaps_ms[1] < gaps_ms[gaps_ms.size() - 1] + gaps_ms[gaps_ms.size() - 2]);
  CHECK(arrivals(sim, token, "deleteWebhook", since).empty());  // no webhook to delete
  const auto faults = bot_events(server, "bot-0", state == "conflict" ? "conflict" : "backoff");
  CHECK(faults.size() == 1);  // one event per streak and fault, not one per try

  sim.set_faults(token, {});
  CHECK(wait_for_sent(sim, token, chat, 1, 10s));
  CHECK(wait_until([&] { return state_of(server, "bot-0") == "running"; }, 10s));
  CHECK(server.bot("bot-0")["last_error"].is_null());
  CHECK(server.bot("bot-0")["next_retry_at"].is_null());
  CHECK(sent_texts(sim, token, chat) == std::vector<std::string>{"during the fault"});
  const auto resumed = await_bot_events(server, "bot-0", "resume", 5s);
  CHECK(resumed.size() == 1);
  CHECK(server.bot("bot-0")["restarts"] == 0);  // never a crash loop
}

}  // namespace

TEST_CASE("another poller is a conflict the bot backs off from, growing and capped") {
  hangar::sim::Faults fault;
  fault.other_poller = true;
  check_backoff(fault, "conflict", "other_poller", "terminated by other getUpdates request");
}

TEST_CASE("server errors make the bot back off, growing and capped") {
  hangar::sim::Faults fault;
  fault.server_error = true;
  check_backoff(fault, "backoff", "api_error", "500");
}

TEST_CASE("a webhook someone set is deleted once, and polling resumes with nothing lost") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url(), serve_flags());
  const auto tokens = start_polling_bots(server, sim, 2, "bot-");
  const std::string& token = tokens[0];
  const std::string& neighbour = tokens[1];

  // Another tool sets a webhook for the bot, as Telegram allows.
  const auto since = steady_now_us();
  const auto set = http_post("127.0.0.1", sim.port(), "/bot" + token + "/setWebhook",
                             R"({"url":"https://example.com/hook"})");
  REQUIRE(set.status == 200);
  inject(sim, token, chat, "despite the webhook");
  inject(sim, neighbour, chat, "next door");

  // The message wakes the poll that was waiting (the webhook came after it); the next poll meets
  // the webhook.
  CHECK(wait_for_sent(sim, token, chat, 1, 10s));
  CHECK(wait_for_sent(sim, neighbour, chat, 1, 10s));
  REQUIRE(wait_until([&] { return !arrivals(sim, token, "deleteWebhook", since).empty(); }, 10s));
  const auto info = http_post("127.0.0.1", sim.port(), "/bot" + token + "/getWebhookInfo", "{}");
  CHECK(nlohmann::json::parse(info.body)["result"]["url"] == "");
  const auto conflicts = await_bot_events(server, "bot-0", "conflict", 5s);
  REQUIRE(conflicts.size() == 1);
  CHECK(conflicts[0]["reason"] == "webhook");
  CHECK_THAT(conflicts[0].value("detail", ""), Catch::Contains("deleting the webhook"));
  CHECK(wait_until([&] { return state_of(server, "bot-0") == "running"; }, 10s));
  CHECK(await_bot_events(server, "bot-0", "resume", 5s).size() == 1);

  inject(sim, token, chat, "after");
  REQUIRE(wait_for_sent(sim, token, chat, 2, 10s));
  std::this_thread::sleep_for(300ms);  // a duplicate would show
  CHECK(sent_texts(sim, token, chat) == std::vector<std::string>{"despite the webhook", "after"});
  CHECK(arrivals(sim, token, "deleteWebhook", since).size() == 1);
}
