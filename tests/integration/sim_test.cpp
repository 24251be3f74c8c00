// The Bot API simulator over real sockets on 127.0.0.1: getUpdates semantics, sent records,
// counters, fault switches, bounds, the control API, HTTPS, the traffic generator and the
// `sim` command's lifecycle.
#include <catch2/catch.hpp>

#include <future>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "sim/simulator.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/sim_bot_client.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/test_certificates.hpp"
#include "tests/support/wait_until.hpp"

using namespace std::chrono_literals;
using hangar::sim::Faults;
using hangar::sim::SimOptions;
using hangar::sim::Simulator;
using hangar::test::HttpTestClient;
using hangar::test::test_token;
using hangar::test::wait_until;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

using BotClient = hangar::test::SimBotClient;

std::vector<std::int64_t> update_ids(const json& reply) {
  std::vector<std::int64_t> ids;
  for (const auto& update : reply.at("result")) ids.push_back(update.at("update_id"));
  return ids;
}

bool is_telegram_error(const json& reply, int code) {
  return reply.at("ok") == false && reply.at("error_code") == code &&
         reply.at("description").is_string();
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

TEST_CASE("getMe describes the bot behind any well-formed token") {
  Simulator sim;
  const json me = BotClient(sim, "123456:" + std::string(35, 'a')).call("getMe");
  CHECK(me["ok"] == true);
  CHECK(me["result"]["id"] == 123456);
  CHECK(me["result"]["is_bot"] == true);
  CHECK(me["result"]["first_name"] == "Sim Bot 123456");
  CHECK(me["result"]["username"] == "sim123456_bot");
}

TEST_CASE("a malformed token is 401 and an unknown method 404, in Telegram's shape") {
  Simulator sim;
  const auto unauthorized = BotClient(sim, "12:short").raw("getMe");
  CHECK(unauthorized.status == 401);
  CHECK(json::parse(unauthorized.body) ==
        json{{"ok", false}, {"error_code", 401}, {"description", "Unauthorized"}});
  const auto unknown = BotClient(sim, test_token(1)).raw("launchRocket");
  CHECK(unknown.status == 404);
  CHECK(json::parse(unknown.body) ==
        json{{"ok", false}, {"error_code", 404}, {"description", "Not Found"}});
}

// How soon (within 100 ms) is a speed bound: sim_timing_test.cpp. Here, under any load: at
// once rather than at the poll's 10 s timeout.
TEST_CASE("a long poll answers an injected message at once, not at its timeout") {
  Simulator sim;
  const std::string token = test_token(1);
  BotClient bot(sim, token);
  auto reply = std::async(std::launch::async, [&] {
    return bot.call("getUpdates", {{"timeout", 10}});
  });
  REQUIRE(hangar::test::wait_for_polls(sim, token, 1, 5s));
  std::this_thread::sleep_for(50ms);  // let the poll park

  const auto injected_at = Clock::now();
  const auto update_id = sim.inject_message(token, 77, "wake up");
  REQUIRE(update_id);
  const json updates = reply.get();
  CHECK(seconds_since(injected_at) < 5.0);
  REQUIRE(updates["result"].size() == 1);
  const json& message = updates["result"][0]["message"];
  CHECK(updates["result"][0]["update_id"] == *update_id);
  CHECK(message["text"] == "wake up");
  CHECK(message["chat"] == json{{"id", 77}, {"type", "private"}, {"first_name", "User 77"}});
  CHECK(message["from"]["id"] == 77);
  CHECK(message["from"]["is_bot"] == false);
  CHECK(message["message_id"].is_number_integer());
  CHECK(message["date"].is_number_integer());
}

TEST_CASE("getUpdates offset confirms earlier updates and limit caps the batch") {
  Simulator sim;
  const std::string token = test_token(2);
  for (int i = 0; i < 5; ++i) REQUIRE(sim.inject_message(token, 10, "m" + std::to_string(i)));
  BotClient bot(sim, token);

  const auto all = update_ids(bot.call("getUpdates"));
  REQUIRE(all.size() == 5);
  CHECK(update_ids(bot.call("getUpdates", {{"limit", 2}})) ==
        std::vector<std::int64_t>{all[0], all[1]});
  // Unconfirmed updates come again; an offset drops everything below it for good.
  CHECK(update_ids(bot.call("getUpdates", {{"offset", all[3]}})) ==
        std::vector<std::int64_t>{all[3], all[4]});
  CHECK(update_ids(bot.call("getUpdates")) == std::vector<std::int64_t>{all[3], all[4]});
  CHECK(bot.call("getUpdates", {{"offset", all[4] + 1}})["result"].empty());
  // Query-string parameters work as well as JSON ones.
  REQUIRE(sim.inject_message(token, 10, "late"));
  CHECK(json::parse(bot.http()
                        .get("/bot" + token + "/getUpdates?offset=" + std::to_string(all[4] + 1))
                        .body)["result"]
            .size() == 1);
}

TEST_CASE("a long poll with nothing to deliver answers [] after its timeout") {
  Simulator sim;
  BotClient bot(sim, test_token(3));
  const auto started = Clock::now();
  const json reply = bot.call("getUpdates", {{"timeout", 1}});
  const double waited = seconds_since(started);
  CHECK(reply == json{{"ok", true}, {"result", json::array()}});
  CHECK(waited > 0.9);
  CHECK(waited < 2.0);
}

TEST_CASE("a second getUpdates makes the waiting one answer 409 Conflict") {
  Simulator sim;
  const std::string token = test_token(4);
  BotClient first(sim, token), second(sim, token);
  auto displaced = std::async(std::launch::async, [&] {
    return first.raw("getUpdates", {{"timeout", 10}});
  });
  REQUIRE(hangar::test::wait_for_polls(sim, token, 1, 5s));
  std::this_thread::sleep_for(50ms);
  CHECK(second.call("getUpdates")["ok"] == true);
  const auto conflict = displaced.get();
  CHECK(conflict.status == 409);
  const json body = json::parse(conflict.body);
  CHECK(is_telegram_error(body, 409));
  CHECK_THAT(body["description"].get<std::string>(),
             Catch::Contains("terminated by other getUpdates request"));
}

TEST_CASE("sendMessage replies with a Message and is recorded in the sent log") {
  Simulator sim;
  const std::string token = test_token(5);
  BotClient bot(sim, token);
  const json first = bot.call("sendMessage", {{"chat_id", 42}, {"text", "hello"}});
  REQUIRE(first["ok"] == true);
  CHECK(first["result"]["text"] == "hello");
  CHECK(first["result"]["chat"]["id"] == 42);
  CHECK(first["result"]["from"]["id"] == 100005);
  CHECK(first["result"]["from"]["is_bot"] == true);
  // Form-encoded parameters, as many clients send them.
  const auto second =
      bot.http().post("/bot" + token + "/sendMessage", "chat_id=42&text=good+bye%21",
                      "application/x-www-form-urlencoded");
  CHECK(json::parse(second.body)["result"]["message_id"] > first["result"]["message_id"]);
  CHECK(bot.call("sendMessage", {{"chat_id", 43}, {"text", "other chat"}})["ok"] == true);
  CHECK(is_telegram_error(bot.call("sendMessage", {{"chat_id", 42}}), 400));

  const auto sent = sim.sent(token, 42);
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].method == "sendMessage");
  CHECK(sent[0].text == "hello");
  CHECK(sent[1].text == "good bye!");
  CHECK(sent[1].message_id > sent[0].message_id);
  CHECK(sim.sent(token).size() == 3);
  CHECK(sim.counters(token).sent == 3);
}

TEST_CASE("malformed percent-encoding in a Bot API request is 400 and sends nothing") {
  Simulator sim;
  const std::string token = test_token(16);
  BotClient bot(sim, token);
  const auto in_form = bot.http().post("/bot" + token + "/sendMessage", "chat_id=42&text=100%",
                                       "application/x-www-form-urlencoded");
  CHECK(in_form.status == 400);
  CHECK(is_telegram_error(json::parse(in_form.body), 400));
  CHECK_THAT(json::parse(in_form.body)["description"].get<std::string>(),
             Catch::Contains("malformed percent-encoding"));
  const auto in_query = bot.http().post("/bot" + token + "/sendMessage?chat_id=42&text=%zz", "{}");
  CHECK(in_query.status == 400);
  CHECK(is_telegram_error(json::parse(in_query.body), 400));
  CHECK(sim.sent(token).empty());
}

TEST_CASE("callback queries arrive as updates and their answers are recorded") {
  Simulator sim;
  const std::string token = test_token(6);
  BotClient bot(sim, token);
  REQUIRE(sim.inject_callback(token, 55, "button:1"));
  const json query = bot.call("getUpdates")["result"][0]["callback_query"];
  CHECK(query["data"] == "button:1");
  CHECK(query["from"]["id"] == 55);
  CHECK(query["message"]["chat"]["id"] == 55);
  CHECK(bot.call("answerCallbackQuery", {{"callback_query_id", query["id"]}, {"text", "ok"}}) ==
        json{{"ok", true}, {"result", true}});
  const json edited = bot.call(
      "editMessageText",
      {{"chat_id", 55}, {"message_id", query["message"]["message_id"]}, {"text", "pressed"}});
  CHECK(edited["result"]["text"] == "pressed");
  CHECK(bot.call("deleteWebhook") == json{{"ok", true}, {"result", true}});

  const auto sent = sim.sent(token, 55);
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].method == "answerCallbackQuery");
  CHECK(sent[1].method == "editMessageText");
  CHECK(sent[1].text == "pressed");
}

TEST_CASE("a connection counts once, for the token of its first request") {
  Simulator sim;
  const std::string token = test_token(7);
  BotClient bot(sim, token);
  bot.call("getMe");
  bot.call("getUpdates");
  CHECK(sim.counters(token).connections == 1);
  BotClient(sim, token).call("getMe");
  const auto counters = sim.counters(token);
  CHECK(counters.connections == 2);
  CHECK(counters.calls == 3);
  CHECK(counters.get_updates == 1);
  CHECK(sim.tokens_seen() == std::vector<std::string>{token});
}

TEST_CASE("fault switches: instant getUpdates, non-JSON replies, revoked tokens") {
  Simulator sim;
  const std::string token = test_token(8);
  BotClient bot(sim, token);

  SECTION("instant_get_updates never holds a poll") {
    sim.set_faults(token, Faults{true, false, false});
    const auto started = Clock::now();
    CHECK(bot.call("getUpdates", {{"timeout", 5}})["result"].empty());
    CHECK(seconds_since(started) < 1.0);
  }
  SECTION("non_json answers 200 with HTML") {
    sim.set_faults(token, Faults{false, true, false});
    const auto reply = bot.raw("getMe");
    CHECK(reply.status == 200);
    CHECK(reply.body == "<html>not json</html>");
    CHECK(reply.content_type == "text/html");
  }
  SECTION("revoked answers 401 to every call, and a bot's own switches beat the global ones") {
    sim.set_faults("", Faults{false, false, true});
    CHECK(bot.raw("getMe").status == 401);
    CHECK(BotClient(sim, test_token(9)).raw("sendMessage").status == 401);
    sim.set_faults(token, Faults{});
    CHECK(bot.raw("getMe").status == 200);
    CHECK(BotClient(sim, test_token(9)).raw("getMe").status == 401);
  }
}

TEST_CASE("a Bot API body over the server's cap gets 413") {
  Simulator sim;
  BotClient bot(sim, test_token(10));
  const json huge = {{"chat_id", 1}, {"text", std::string(2u << 20, 'x')}};
  CHECK(bot.raw("sendMessage", huge).status == 413);
}

TEST_CASE("pending updates and the sent log are bounded per bot") {
  SimOptions options;
  options.max_pending_updates_per_bot = 3;
  options.max_sent_per_bot = 2;
  Simulator sim(options);
  const std::string token = test_token(11);
  for (int i = 0; i < 3; ++i) REQUIRE(sim.inject_message(token, 1, "fits"));
  CHECK_FALSE(sim.inject_message(token, 1, "one too many"));

  BotClient bot(sim, token);
  for (const char* text : {"a", "b", "c"})
    REQUIRE(bot.call("sendMessage", {{"chat_id", 1}, {"text", text}})["ok"] == true);
  const auto sent = sim.sent(token);
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].text == "b");  // the oldest went first
  CHECK(sent[1].text == "c");
}

TEST_CASE("the control API acts as users and reports what bots did") {
  Simulator sim;
  const std::string token = test_token(12);
  HttpTestClient control("127.0.0.1", sim.port());
  const auto post = [&](const std::string& target, const json& body) {
    const auto reply = control.post(target, body.dump());
    INFO(target << " -> " << reply.body);
    REQUIRE(reply.status == 200);
    return json::parse(reply.body);
  };
  const auto get = [&](const std::string& target) {
    const auto reply = control.get(target);
    REQUIRE(reply.status == 200);
    return json::parse(reply.body);
  };

  const json injected =
      post("/control/messages", {{"token", token}, {"chat_id", 9}, {"text", "from a user"}});
  const json pressed =
      post("/control/callbacks", {{"token", token}, {"chat_id", 9}, {"data", "yes"}});
  CHECK(pressed["update_id"] == injected["update_id"].get<std::int64_t>() + 1);

  BotClient bot(sim, token);
  const json updates = bot.call("getUpdates");
  REQUIRE(updates["result"].size() == 2);
  CHECK(updates["result"][0]["message"]["text"] == "from a user");
  bot.call("sendMessage", {{"chat_id", 9}, {"text", "reply"}});
  bot.call("sendMessage", {{"chat_id", 8}, {"text", "elsewhere"}});

  const json sent = get("/control/sent?token=" + token + "&chat_id=9");
  REQUIRE(sent.size() == 1);
  CHECK(sent[0]["text"] == "reply");
  CHECK(sent[0]["method"] == "sendMessage");
  CHECK(get("/control/sent?token=" + token).size() == 2);
  CHECK(get("/control/bots?token=" + token) == json{{"connections", 1},
                                                    {"get_updates", 1},
                                                    {"calls", 3},
                                                    {"sent", 2},
                                                    {"pending", 2},
                                                    {"flood_refused", 0}});
  // An offset past them confirms the two updates.
  bot.call("getUpdates", {{"offset", updates["result"][1]["update_id"].get<std::int64_t>() + 1}});
  CHECK(get("/control/bots?token=" + token)["pending"] == 0);
  CHECK(get("/control/tokens") == json::array({token}));

  post("/control/faults", {{"token", token}, {"revoked", true}});
  CHECK(bot.raw("getMe").status == 401);
  post("/control/faults", {{"token", token}});
  CHECK(bot.raw("getMe").status == 200);

  CHECK(control.post("/control/messages", R"({"token":"bad","chat_id":1,"text":"x"})").status ==
        400);
  post("/control/reset", json::object());
  CHECK(get("/control/tokens").empty());
  CHECK(get("/control/bots?token=" + token)["calls"] == 0);
}

TEST_CASE("with a certificate and key the simulator serves HTTPS") {
  hangar::test::TestCertificates certificates;
  SimOptions options;
  options.tls_cert = certificates.server_cert();
  options.tls_key = certificates.server_key();
  Simulator sim(options);
  CHECK(sim.base_url() == "https://localhost:" + std::to_string(sim.port()));

  const std::string token = test_token(13);
  HttpTestClient client("127.0.0.1", sim.port(),
                        hangar::test::HttpTestTls{certificates.ca_cert(), "localhost"});
  const auto reply = client.post("/bot" + token + "/getMe", "{}");
  CHECK(reply.status == 200);
  CHECK(json::parse(reply.body)["result"]["id"] == 100013);
}

// How soon it stops (within 0.2 s) is a speed bound: sim_timing_test.cpp. Here, under any
// load: well within the second in which it looks for new bots.
TEST_CASE("the traffic generator spreads messages over every polling bot and stops when told") {
  Simulator sim;
  const std::string first = test_token(14), second = test_token(15);
  BotClient(sim, first).call("getMe");
  BotClient(sim, second).call("getMe");
  std::optional<hangar::sim::TrafficGenerator> traffic;
  traffic.emplace(sim, hangar::sim::TrafficOptions{3, 200, 500});
  REQUIRE(wait_until([&] { return traffic->injected() >= 60; }, 5s, 10ms));
  const auto stopping = Clock::now();
  traffic.reset();
  CHECK(seconds_since(stopping) < 1.0);

  for (const auto& token : {first, second}) {
    const json updates = BotClient(sim, token).call("getUpdates");
    std::set<std::int64_t> chats;
    for (const auto& update : updates["result"]) {
      chats.insert(update["message"]["chat"]["id"].get<std::int64_t>());
      CHECK_THAT(update["message"]["text"].get<std::string>(), Catch::StartsWith("hello "));
    }
    CHECK(chats == std::set<std::int64_t>{500, 501, 502});
  }
}
