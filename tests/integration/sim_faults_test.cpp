// The simulator's answers that a bot must survive, over real sockets: a webhook blocks getUpdates
// until deleteWebhook, the not_found, server_error and other_poller switches (in-process and
// through the control API), and the call log a test reads a bot's timing from.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "sim/simulator.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/sim_bot_client.hpp"
#include "tests/support/sim_helpers.hpp"

using hangar::sim::Faults;
using hangar::sim::SimOptions;
using hangar::sim::Simulator;
using hangar::test::HttpTestClient;
using hangar::test::test_token;
using nlohmann::json;
using BotClient = hangar::test::SimBotClient;

namespace {

bool is_telegram_error(const json& reply, int code, const std::string& words) {
  return reply.at("ok") == false && reply.at("error_code") == code &&
         reply.at("description").get<std::string>().find(words) != std::string::npos;
}

}  // namespace

TEST_CASE("a webhook blocks getUpdates with 409 until deleteWebhook removes it") {
  Simulator sim;
  BotClient bot(sim, test_token(1));
  REQUIRE(sim.inject_message(test_token(1), 7, "waiting"));

  CHECK(bot.call("setWebhook", {{"url", "https://example.com/hook"}})["result"] == true);
  CHECK(bot.call("getWebhookInfo")["result"]["url"] == "https://example.com/hook");
  const auto refused = bot.raw("getUpdates");
  CHECK(refused.status == 409);
  CHECK(is_telegram_error(json::parse(refused.body), 409, "webhook is active"));
  CHECK(bot.call("sendMessage", {{"chat_id", 7}, {"text", "sends still work"}})["ok"] == true);

  CHECK(bot.call("deleteWebhook")["result"] == true);
  CHECK(bot.call("getWebhookInfo")["result"]["url"] == "");
  const auto updates = bot.call("getUpdates");
  REQUIRE(updates["result"].size() == 1);  // the update waited, as on Telegram
  CHECK(updates["result"][0]["message"]["text"] == "waiting");

  // An empty URL removes it too.
  bot.call("setWebhook", {{"url", "https://example.com/hook"}});
  bot.call("setWebhook", {{"url", ""}});
  CHECK(bot.raw("getUpdates").status == 200);
}

TEST_CASE("fault switches: a deleted bot, server errors and another poller") {
  Simulator sim;
  const std::string token = test_token(2);
  BotClient bot(sim, token);

  SECTION("not_found answers 404 to every call") {
    Faults faults;
    faults.not_found = true;
    sim.set_faults(token, faults);
    CHECK(is_telegram_error(bot.call("getMe"), 404, "Not Found"));
    CHECK(bot.raw("getUpdates").status == 404);
  }
  SECTION("server_error answers 500 to every call") {
    Faults faults;
    faults.server_error = true;
    sim.set_faults(token, faults);
    CHECK(is_telegram_error(bot.call("getMe"), 500, "Internal Server Error"));
    CHECK(bot.raw("sendMessage", {{"chat_id", 1}, {"text", "x"}}).status == 500);
  }
  SECTION("other_poller answers getUpdates 409 and leaves the rest alone") {
    Faults faults;
    faults.other_poller = true;
    sim.set_faults(token, faults);
    CHECK(is_telegram_error(bot.call("getUpdates"), 409, "terminated by other getUpdates"));
    CHECK(bot.call("getMe")["ok"] == true);
  }
  sim.set_faults(token, {});
  CHECK(bot.call("getMe")["ok"] == true);
}

TEST_CASE("the control API switches the new faults and shows a bot's calls in order") {
  Simulator sim;
  const std::string token = test_token(3);
  HttpTestClient control("127.0.0.1", sim.port());
  BotClient bot(sim, token);

  const auto switched = control.post(
      "/control/faults",
      json{{"token", token}, {"not_found", true}, {"server_error", true}, {"other_poller", true}}
          .dump());
  REQUIRE(switched.status == 200);
  const auto body = json::parse(switched.body);
  CHECK(body["not_found"] == true);
  CHECK(body["server_error"] == true);
  CHECK(body["other_poller"] == true);
  CHECK(bot.raw("getMe").status == 404);  // the first that applies
  control.post("/control/faults", json{{"token", token}}.dump());
  CHECK(bot.raw("getMe").status == 200);

  bot.raw("getUpdates");
  const auto calls = json::parse(control.get("/control/calls?token=" + token).body);
  REQUIRE(calls.size() == 3);
  CHECK(calls[0]["method"] == "getMe");
  CHECK(calls[1]["method"] == "getMe");
  CHECK(calls[2]["method"] == "getUpdates");
  CHECK(calls[0]["at_us"] <= calls[1]["at_us"]);
  CHECK(calls[1]["at_us"] <= calls[2]["at_us"]);
  CHECK(json::parse(control.get("/control/calls?token=" + test_token(4)).body).empty());
  CHECK(control.get("/control/calls").status == 400);
}

TEST_CASE("the call log is bounded per bot and keeps the newest") {
  SimOptions options;
  options.max_calls_logged_per_bot = 2;
  Simulator sim(options);
  const std::string token = test_token(5);
  BotClient bot(sim, token);
  bot.raw("getMe");
  bot.raw("deleteWebhook");
  bot.raw("getUpdates");
  const auto calls = sim.calls(token);
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].method == "deleteWebhook");
  CHECK(calls[1].method == "getUpdates");
  CHECK(sim.counters(token).calls == 3);  // the counters keep counting
}
