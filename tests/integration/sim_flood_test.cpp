// The simulator's own flood control and its group chats, over real sockets on 127.0.0.1: the
// 429 as Telegram answers it, the windows per bot, per private chat and per group, refusals that
// count nowhere but in flood_refused and the call log, the control API's switch, and group
// messages as real Telegram JSON, injected or driven by the traffic generator, and answered by
// hangar in their group.
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/polling_bots.hpp"
#include "tests/support/sim_bot_client.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace std::chrono_literals;
using hangar::sim::FloodLimits;
using hangar::sim::SimOptions;
using hangar::sim::Simulator;
using hangar::test::HttpTestClient;
using hangar::test::HttpTestResponse;
using hangar::test::test_token;
using hangar::test::wait_until;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using BotClient = hangar::test::SimBotClient;

namespace {

// Windows long enough that a loaded machine sends a burst well inside them.
SimOptions flood_options(hangar::sim::FloodLimit per_bot, hangar::sim::FloodLimit per_private_chat,
                         hangar::sim::FloodLimit per_group) {
  SimOptions options;
  options.flood_limits = FloodLimits{true, per_bot, per_private_chat, per_group};
  return options;
}

HttpTestResponse send(BotClient& bot, std::int64_t chat_id, const std::string& text = "hi") {
  return bot.raw("sendMessage", {{"chat_id", chat_id}, {"text", text}});
}

bool is_flood_refusal(const HttpTestResponse& response) {
  if (response.status != 429) return false;
  const json body = json::parse(response.body);
  const int retry_after = body["parameters"]["retry_after"];
  return body ==
             json{{"ok", false},
                  {"error_code", 429},
                  {"description", "Too Many Requests: retry after " + std::to_string(retry_after)},
                  {"parameters", {{"retry_after", retry_after}}}} &&
         retry_after >= 1;
}

json control(const Simulator& sim, const std::string& method, const std::string& target,
             const json& body = json::object()) {
  HttpTestClient client("127.0.0.1", sim.port());
  const auto response = method == "GET" ? client.get(target) : client.post(target, body.dump());
  INFO(response.body);
  REQUIRE(response.status == 200);
  return json::parse(response.body);
}

}  // namespace

TEST_CASE("with the flood limits off, as by default, no send is ever refused") {
  Simulator sim;
  const std::string token = test_token(1);
  BotClient bot(sim, token);
  for (int i = 0; i < 60; ++i) CHECK(send(bot, 5).status == 200);
  CHECK(sim.counters(token).flood_refused == 0);
  CHECK_FALSE(sim.flood_limits().enabled);
}

TEST_CASE("a private chat past its limit gets Telegram's 429 until its window frees") {
  Simulator sim(flood_options({30, 1s}, {3, 1s}, {20, 60s}));
  const std::string token = test_token(2);
  BotClient bot(sim, token);
  const auto burst_start = Clock::now();
  for (int i = 0; i < 3; ++i) REQUIRE(send(bot, 7, "m" + std::to_string(i)).status == 200);
  const auto refused = send(bot, 7, "too many");
  INFO(refused.body);
  REQUIRE(Clock::now() - burst_start < 1s);  // the burst fit in the window
  CHECK(is_flood_refusal(refused));
  CHECK(json::parse(refused.body)["parameters"]["retry_after"] == 1);
  CHECK(send(bot, 8).status == 200);  // another chat is not held up

  // Refused requests do not count: polling through the wait, the first is let in once the
  // oldest accepted send left the trailing window, never before.
  int refusals = 1;
  while (send(bot, 7, "again").status == 429) {
    ++refusals;
    std::this_thread::sleep_for(20ms);
  }
  CHECK(Clock::now() - burst_start >= 1s);
  CHECK(sim.counters(token).flood_refused == static_cast<std::uint64_t>(refusals));
  CHECK(hangar::test::sent_texts(sim, token, 7) ==
        std::vector<std::string>{"m0", "m1", "m2", "again"});

  int marked = 0;
  for (const auto& call : sim.calls(token)) marked += call.flood_refused ? 1 : 0;
  CHECK(marked == refusals);
}

TEST_CASE("the bot's limit spans its chats, and editMessageText counts like sendMessage") {
  Simulator sim(flood_options({4, 10s}, {3, 10s}, {20, 10s}));
  const std::string token = test_token(3);
  BotClient bot(sim, token);
  CHECK(send(bot, 1).status == 200);
  CHECK(send(bot, 2).status == 200);
  CHECK(send(bot, -3).status == 200);
  CHECK(
      bot.raw("editMessageText", {{"chat_id", 4}, {"message_id", 1}, {"text", "edited"}}).status ==
      200);
  CHECK(is_flood_refusal(send(bot, 5)));
  CHECK(is_flood_refusal(
      bot.raw("editMessageText", {{"chat_id", 1}, {"message_id", 1}, {"text", "edited"}})));
  // An inline message's edit belongs to no chat, and other methods are not limited here.
  CHECK(bot.raw("editMessageText", {{"inline_message_id", "x"}, {"text", "edited"}}).status == 200);
  CHECK(bot.raw("getMe").status == 200);
  CHECK(sim.counters(token).flood_refused == 2);
  BotClient other(sim, test_token(4));  // every bot has its own windows
  CHECK(send(other, 5).status == 200);
  CHECK(sim.counters(test_token(4)).flood_refused == 0);
}

TEST_CASE("a group or channel has the group limit") {
  Simulator sim(flood_options({30, 10s}, {1, 10s}, {2, 10s}));
  const std::string token = test_token(5);
  BotClient bot(sim, token);
  CHECK(send(bot, -1001234567890).status == 200);
  CHECK(send(bot, -1001234567890).status == 200);
  const auto refused = send(bot, -1001234567890);
  CHECK(is_flood_refusal(refused));
  CHECK(json::parse(refused.body)["parameters"]["retry_after"].get<int>() >= 9);
  CHECK(send(bot, -42).status == 200);
  CHECK(send(bot, 42).status == 200);
  CHECK(is_flood_refusal(send(bot, 42)));
}

TEST_CASE("the control API switches the flood limits, shows refusals, and reset restores them") {
  Simulator sim;
  const std::string token = test_token(6);
  CHECK(control(sim, "GET", "/control/flood_limits") == json{{"enabled", false},
                                                             {"per_bot", "30/1s"},
                                                             {"per_private_chat", "3/3s"},
                                                             {"per_group", "20/1m"}});
  CHECK(control(sim, "POST", "/control/flood_limits", {{"per_private_chat", "1/10s"}}) ==
        json{{"enabled", true},
             {"per_bot", "30/1s"},
             {"per_private_chat", "1/10s"},
             {"per_group", "20/1m"}});
  BotClient bot(sim, token);
  CHECK(send(bot, 9).status == 200);
  CHECK(is_flood_refusal(send(bot, 9)));
  CHECK(control(sim, "GET", "/control/bots?token=" + token)["flood_refused"] == 1);
  const json calls = control(sim, "GET", "/control/calls?token=" + token);
  REQUIRE(calls.size() == 2);
  CHECK(calls[0]["flood_refused"] == false);
  CHECK(calls[1]["flood_refused"] == true);

  CHECK(control(sim, "POST", "/control/flood_limits", {{"enabled", false}})["enabled"] == false);
  CHECK(send(bot, 9).status == 200);

  HttpTestClient client("127.0.0.1", sim.port());
  for (const json& bad : {json{{"per_bot", "30"}}, json{{"per_group", "0/1s"}},
                          json{{"per_private_chat", 3}}, json{{"enabled", "maybe"}}}) {
    INFO(bad.dump());
    CHECK(client.post("/control/flood_limits", bad.dump()).status == 400);
  }
  CHECK_FALSE(sim.flood_limits().enabled);  // a refused body changed nothing

  sim.set_flood_limits(FloodLimits{true, {1, 10s}, {1, 10s}, {1, 10s}});
  CHECK(control(sim, "POST", "/control/reset")["ok"] == true);
  CHECK_FALSE(sim.flood_limits().enabled);  // back to SimOptions'
}

TEST_CASE("a user's message in a group or supergroup is real Telegram JSON") {
  Simulator sim;
  const std::string token = test_token(7);
  HttpTestClient client("127.0.0.1", sim.port());
  const auto inject = [&](const json& body) {
    json full = body;
    full["token"] = token;
    return client.post("/control/messages", full.dump());
  };
  REQUIRE(inject({{"chat_id", -4001}, {"from_id", 42}, {"text", "in a group"}}).status == 200);
  REQUIRE(inject({{"chat_id", -1001234567890},
                  {"from_id", 43},
                  {"chat_type", "supergroup"},
                  {"text", "in a supergroup"}})
              .status == 200);
  REQUIRE(sim.inject_group_message(token, -4001, 44, "in process"));

  const json updates = BotClient(sim, token).call("getUpdates")["result"];
  REQUIRE(updates.size() == 3);
  const json& group = updates[0]["message"];
  CHECK(group["chat"] == json{{"id", -4001}, {"type", "group"}, {"title", "Group -4001"}});
  CHECK(group["from"]["id"] == 42);
  CHECK(group["from"]["is_bot"] == false);
  CHECK(group["from"]["first_name"] == "User 42");
  CHECK(group["text"] == "in a group");
  CHECK(updates[1]["message"]["chat"] ==
        json{{"id", -1001234567890}, {"type", "supergroup"}, {"title", "Group -1001234567890"}});
  CHECK(updates[1]["message"]["from"]["id"] == 43);
  CHECK(updates[2]["message"]["from"]["id"] == 44);

  // The bot's reply in the group is a message of that group.
  const json reply =
      BotClient(sim, token).call("sendMessage", {{"chat_id", -4001}, {"text", "ok"}});
  CHECK(reply["result"]["chat"]["type"] == "group");

  for (const json& bad :
       {json{{"chat_id", -4001}, {"text", "no sender"}},
        json{{"chat_id", -4001}, {"from_id", 0}, {"text", "no user"}},
        json{{"chat_id", -4001}, {"from_id", 42}, {"chat_type", "supergroup"}, {"text", "x"}},
        json{{"chat_id", 42}, {"from_id", 43}, {"text", "someone else's private chat"}},
        json{{"chat_id", 42}, {"chat_type", "channel"}, {"text", "x"}}}) {
    INFO(bad.dump());
    const auto refused = inject(bad);
    CHECK(refused.status == 400);
    CHECK(json::parse(refused.body)["error"] == "bad_request");
  }
  CHECK_FALSE(sim.inject_group_message(token, 42, 43, "not a group"));
  CHECK_FALSE(sim.inject_group_message(token, -42, -43, "not a user"));
  CHECK(sim.counters(token).pending == 3);
}

TEST_CASE("the traffic generator writes into groups too when asked") {
  Simulator sim;
  const std::string token = test_token(8);
  BotClient(sim, token).call("getMe");
  std::optional<hangar::sim::TrafficGenerator> traffic;
  hangar::sim::TrafficOptions options;
  options.chats_per_bot = 2;
  options.groups_per_bot = 2;
  options.messages_per_second = 400;
  options.first_chat_id = 500;
  traffic.emplace(sim, options);
  REQUIRE(wait_until([&] { return traffic->injected() >= 16; }, 10s, 10ms));
  traffic.reset();

  std::set<std::int64_t> chats, group_writers;
  const json updates = BotClient(sim, token).call("getUpdates")["result"];
  for (const auto& update : updates) {
    const json& message = update["message"];
    const std::int64_t chat = message["chat"]["id"];
    chats.insert(chat);
    if (chat < 0) {
      CHECK(message["chat"]["type"] == "group");
      group_writers.insert(message["from"]["id"].get<std::int64_t>());
    } else {
      CHECK(message["from"]["id"] == chat);
    }
  }
  CHECK(chats == std::set<std::int64_t>{-501, -500, 500, 501});
  CHECK(group_writers == std::set<std::int64_t>{500, 501});
}

TEST_CASE("hangar answers group messages in their group, one count per group") {
  Simulator sim;
  hangar::test::TempDir dir;
  hangar::test::HangarServer server(dir, sim.base_url());
  const auto tokens = hangar::test::start_polling_bots(server, sim, 1, "grouped", "counter");
  const std::string& token = tokens[0];
  REQUIRE(sim.inject_group_message(token, -4001, 42, "a"));
  REQUIRE(sim.inject_group_message(token, -4001, 43, "b"));
  REQUIRE(sim.inject_group_message(token, -1001234567890, 42, "c"));
  hangar::test::inject(sim, token, 42, "d");
  REQUIRE(wait_until([&] { return sim.counters(token).sent >= 4; }, 30s));
  CHECK(hangar::test::sent_texts(sim, token, -4001) == std::vector<std::string>{"#1 a", "#2 b"});
  CHECK(hangar::test::sent_texts(sim, token, -1001234567890) == std::vector<std::string>{"#1 c"});
  CHECK(hangar::test::sent_texts(sim, token, 42) == std::vector<std::string>{"#1 d"});
}

TEST_CASE("hangar's outbox under the simulator's limits: none refused when both keep the same") {
  // Millisecond windows, the same on both sides; retry_after is whole seconds all the same.
  const SimOptions options = flood_options({30, 1s}, {2, 300ms}, {3, 600ms});
  for (const bool outbox_limits : {true, false}) {
    INFO("outbox limits " << (outbox_limits ? "on" : "off"));
    Simulator sim(options);
    hangar::test::TempDir dir;
    hangar::test::HangarServer server(
        dir, sim.base_url(),
        {"--flood-limits", outbox_limits ? "bot=30/1s,chat=2/300ms,group=3/600ms" : "off"});
    const auto tokens = hangar::test::start_polling_bots(server, sim, 1, "referee");
    const std::string& token = tokens[0];
    for (int i = 0; i < 8; ++i) hangar::test::inject(sim, token, 7, "chat " + std::to_string(i));
    for (int i = 0; i < 6; ++i)
      REQUIRE(sim.inject_group_message(token, -100, 42, "group " + std::to_string(i)));
    REQUIRE(wait_until([&] { return sim.counters(token).sent >= 14; }, 60s));
    CHECK(hangar::test::sent_texts(sim, token, 7).size() == 8);
    CHECK(hangar::test::sent_texts(sim, token, -100).size() == 6);
    // The simulator is the referee: the outbox keeps to the limits without a single 429, and
    // without limits of its own it is caught, yet loses nothing.
    if (outbox_limits)
      CHECK(sim.counters(token).flood_refused == 0);
    else
      CHECK(sim.counters(token).flood_refused > 0);
  }
}
