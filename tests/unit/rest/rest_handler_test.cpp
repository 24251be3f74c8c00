#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "platform/rest/rest_handler.hpp"
#include "storage/bot_repository.hpp"
#include "storage/event_repository.hpp"
#include "storage/settings_repository.hpp"
#include "storage/storage_worker.hpp"
#include "tests/support/charged_meter.hpp"
#include "tests/support/temp_dir.hpp"

using namespace hangar;
using namespace hangar::rest;
using boost::beast::http::field;
using boost::beast::http::verb;
using nlohmann::json;

namespace {

const std::string admin_token = "the-admin-token-0123456789";

std::string token(int owner) {
  return std::to_string(owner) + ":" + std::string(34, 'S') + "tail";
}

// The storage worker, counting the jobs posted to it.
struct CountedJobs final : storage::JobQueue {
  explicit CountedJobs(storage::JobQueue& worker) : worker(worker) {}
  void post(Job job, Failure failed) override {
    ++posted;
    worker.post(std::move(job), std::move(failed));
  }
  storage::JobQueue& worker;
  std::atomic<std::size_t> posted{0};
};

// A real database file behind a real StorageWorker, and a FleetStatus the test fills in.
struct Api {
  explicit Api(std::optional<std::string> metrics_token = std::nullopt) {
    settings.db_path = dir.file("hangar.db");
    settings.metrics_token = std::move(metrics_token);
    settings.api_url = "https://api.example.org";
    {
      storage::Database db(settings.db_path);
      storage::SettingsRepository(db).set_admin_token(admin_token);
    }
    worker = std::make_unique<storage::StorageWorker>(settings.db_path);
    jobs = std::make_unique<CountedJobs>(*worker);
    api = std::make_unique<RestHandler>(fleet, *jobs, settings);
  }
  ~Api() { worker->flush(); }

  // A second connection, as `hangar bot add` in another process would have.
  std::int64_t add_bot(int owner, std::optional<std::string> name = std::nullopt) {
    storage::Database db(settings.db_path);
    storage::NewBot bot;
    bot.token = token(owner);
    bot.name = std::move(name);
    return storage::BotRepository(db).add(bot);
  }

  http::Response call(verb method, const std::string& target,
                      const std::map<field, std::string>& headers) {
    http::Request request{method, target, 11};
    for (const auto& [name, value] : headers) request.set(name, value);
    auto answer = std::make_shared<std::promise<http::Response>>();
    auto future = answer->get_future();
    api->handle(std::move(request), http::RequestContext{},
                [answer](http::Response response) { answer->set_value(std::move(response)); });
    REQUIRE(future.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    return future.get();
  }
  http::Response get(const std::string& target) {
    return call(verb::get, target, {{field::authorization, "Bearer " + admin_token}});
  }
  json get_json(const std::string& target, http::Status expected = http::Status::ok) {
    auto response = get(target);
    INFO(target << " -> " << response.body());
    REQUIRE(response.result() == expected);
    CHECK(response[field::content_type] == "application/json");
    return json::parse(response.body());
  }

  test::TempDir dir;
  Settings settings;
  FleetStatus fleet;
  std::unique_ptr<storage::StorageWorker> worker;
  std::unique_ptr<CountedJobs> jobs;
  std::unique_ptr<RestHandler> api;
};

std::vector<std::int64_t> ids_of(const json& list) {
  std::vector<std::int64_t> ids;
  for (const auto& item : list) ids.push_back(item["id"]);
  return ids;
}

void check_error(const http::Response& response, http::Status status, const std::string& error) {
  INFO(response.body());
  CHECK(response.result() == status);
  const auto body = json::parse(response.body());
  CHECK(body["error"] == error);
  CHECK(body["detail"].is_string());
}

}  // namespace

TEST_CASE("/healthz answers without a token") {
  Api api;
  auto response = api.call(verb::get, "/healthz", {});
  CHECK(response.result() == http::Status::ok);
  CHECK(json::parse(response.body()) == json{{"status", "ok"}});
  check_error(api.call(verb::post, "/healthz", {}), http::Status::method_not_allowed,
              "method_not_allowed");
}

TEST_CASE("/api/ needs the admin token, as a Bearer token or the session cookie") {
  Api api;
  api.add_bot(1);
  const std::string wrong = "wrong-token-that-must-not-be-echoed";

  SECTION("missing") {
    auto response = api.call(verb::get, "/api/bots", {});
    check_error(response, http::Status::unauthorized, "unauthorized");
    CHECK(response[field::www_authenticate] == "Bearer");
  }
  SECTION("wrong, and never echoed") {
    auto response = api.call(verb::get, "/api/bots", {{field::authorization, "Bearer " + wrong}});
    check_error(response, http::Status::unauthorized, "unauthorized");
    CHECK(response.body().find(wrong) == std::string::npos);
    check_error(api.call(verb::get, "/api/bots", {{field::cookie, "hangar_session=" + wrong}}),
                http::Status::unauthorized, "unauthorized");
  }
  SECTION("another scheme does not count") {
    check_error(api.call(verb::get, "/api/bots", {{field::authorization, "Basic " + admin_token}}),
                http::Status::unauthorized, "unauthorized");
  }
  SECTION("unknown paths and methods are 401 too without it, so nothing is given away") {
    check_error(api.call(verb::get, "/api/nothing", {}), http::Status::unauthorized,
                "unauthorized");
    check_error(api.call(verb::delete_, "/api/bots/1", {}), http::Status::unauthorized,
                "unauthorized");
  }
  SECTION("right, as Bearer in any case, or as the cookie among others") {
    CHECK(api.get("/api/bots").result() == http::Status::ok);
    CHECK(api.call(verb::get, "/api/bots", {{field::authorization, "bearer " + admin_token}})
              .result() == http::Status::ok);
    CHECK(api.call(verb::get, "/api/bots",
                   {{field::cookie, "theme=dark; hangar_session=" + admin_token + "; x=y"}})
              .result() == http::Status::ok);
  }
}

TEST_CASE("a wrong admin token costs no storage work; a reset token counts within the poll") {
  Api api;
  REQUIRE(api.get("/api/bots").result() == http::Status::ok);  // reads the token's hash

  // A flood of wrong tokens is refused from the hash in memory: at most one read of it, when it
  // grows older than the config poll interval meanwhile.
  const auto before = api.jobs->posted.load();
  for (int i = 0; i < 200; ++i)
    check_error(api.call(verb::get, "/api/bots", {{field::authorization, "Bearer wrong"}}),
                http::Status::unauthorized, "unauthorized");
  CHECK(api.jobs->posted.load() - before <= 1);

  // `hangar admin-token reset` in another process: a running serve follows within the interval.
  {
    storage::Database db(api.settings.db_path);
    storage::SettingsRepository(db).set_admin_token("the-new-admin-token");
  }
  std::this_thread::sleep_for(api.settings.timings.config_poll_interval +
                              std::chrono::milliseconds(100));
  CHECK(api.call(verb::get, "/api/bots", {{field::authorization, "Bearer the-new-admin-token"}})
            .result() == http::Status::ok);
  check_error(api.get("/api/bots"), http::Status::unauthorized, "unauthorized");
}

TEST_CASE("bots show their configuration and live figures, the token masked") {
  Api api;
  const auto plain = api.add_bot(111, "plain");
  std::int64_t custom = 0;
  {
    storage::Database db(api.settings.db_path);
    storage::BotRepository bots(db);
    storage::NewBot bot;
    bot.token = token(222);
    bot.name = "custom";
    bot.behavior = "counter";
    bot.api_url = "http://127.0.0.1:9000/";
    bot.memory_budget = 2 << 20;
    custom = bots.add(bot);
    bots.set_enabled(plain, false);
  }
  const auto quarantined = api.add_bot(333, "held");
  {
    storage::Database db(api.settings.db_path);
    storage::BotRepository(db).set_quarantined(quarantined, true);
  }
  auto status = api.fleet.ensure(custom, "custom");
  status->state = BotState::running;
  status->set_username("custom_bot");
  status->updates_received = 9;
  status->updates_handled = 7;
  status->set_meter(hangar::test::charged_meter(5000));
  status->restarts = 2;
  status->set_last_error("api_error 409: Conflict\nsecond line");
  status->add_chat(10);
  api.fleet.ensure(quarantined, "held")->state = BotState::running;

  const auto list = api.get_json("/api/bots");
  REQUIRE(list.size() == 3);
  CHECK(ids_of(list) == std::vector<std::int64_t>{quarantined, custom, plain});  // newest first
  const auto body = list.dump();
  for (int owner : {111, 222, 333}) CHECK(body.find(token(owner)) == std::string::npos);

  const auto& c = list[1];
  CHECK(c["name"] == "custom");
  CHECK(c["username"] == "custom_bot");
  CHECK(c["token"] == "222:\u2026tail");
  CHECK(c["behavior"] == "counter");
  CHECK(c["state"] == "running");
  CHECK(c["enabled"] == true);
  CHECK(c["api_url"] == "http://127.0.0.1:9000");
  CHECK(c["memory_budget"] == 2 << 20);
  CHECK(c["chats"] == 1);
  CHECK(c["updates_received"] == 9);
  CHECK(c["updates_handled"] == 7);
  CHECK(c["live_bytes"] == 5000);
  CHECK(c["restarts"] == 2);
  CHECK(c["last_error"] == "api_error 409: Conflict second line");

  const auto& p = list[2];
  CHECK(p["state"] == "stopped");  // disabled
  CHECK(p["api_url"] == "https://api.example.org");
  CHECK(p["memory_budget"] == api.settings.bot_memory_budget);
  CHECK(p["last_error"].is_null());
  CHECK(p["chats"] == 0);
  CHECK(p["username"] == "");

  CHECK(list[0]["state"] == "quarantined");  // the database outranks the supervisor's report

  CHECK(api.get_json("/api/bots/" + std::to_string(custom)) == c);
}

TEST_CASE("bots show why they are in their state and when a waiting one tries again") {
  Api api;
  const auto waiting = api.add_bot(111, "waiting");
  const auto refused = api.add_bot(222, "refused");
  {
    storage::Database db(api.settings.db_path);
    storage::BotRepository bots(db);
    bots.set_unauthorized(refused, bots.find(refused)->revision, "getMe: api_error 404");
  }
  api.fleet.ensure(waiting, "waiting")
      ->set_state(BotState::conflict, "other_poller", 1767225600123);   // 2026-01-01
  api.fleet.ensure(refused, "refused")->set_state(BotState::starting);  // lags the database

  const auto w = api.get_json("/api/bots/" + std::to_string(waiting));
  CHECK(w["state"] == "conflict");
  CHECK(w["state_reason"] == "other_poller");
  CHECK(w["next_retry_at"] == "2026-01-01T00:00:00.123Z");
  CHECK(w["unauthorized"] == false);
  // After a restart of serve, the database says why, until the bot reports again.
  const auto r = api.get_json("/api/bots/" + std::to_string(refused));
  CHECK(r["state"] == "unauthorized");
  CHECK(r["state_reason"] == "token_rejected");
  CHECK(r["unauthorized"] == true);
  CHECK(r["last_error"] == "getMe: api_error 404");
  CHECK(r["next_retry_at"].is_null());

  api.fleet.find(waiting)->set_state(BotState::running);
  const auto running = api.get_json("/api/bots/" + std::to_string(waiting));
  CHECK(running["state_reason"].is_null());
  CHECK(running["next_retry_at"].is_null());
}

TEST_CASE("bots are paged newest first with ?limit= and ?before=") {
  Api api;
  for (int owner = 1; owner <= 5; ++owner) api.add_bot(owner);
  CHECK(ids_of(api.get_json("/api/bots?limit=2")) == std::vector<std::int64_t>{5, 4});
  CHECK(ids_of(api.get_json("/api/bots?limit=2&before=4")) == std::vector<std::int64_t>{3, 2});
  CHECK(ids_of(api.get_json("/api/bots?before=2")) == std::vector<std::int64_t>{1});
  CHECK(api.get_json("/api/bots?before=1").empty());
  CHECK(api.get_json("/api/bots?limit=5000").size() == 5);  // cut to 1000, not refused

  for (const char* bad : {"limit=0", "limit=-1", "limit=abc", "limit=", "limit=1.5", "before=0",
                          "before=x", "limit=99999999999999999999"}) {
    INFO(bad);
    auto response = api.get(std::string("/api/bots?") + bad);
    check_error(response, http::Status::bad_request, "bad_request");
    const std::string parameter = std::string(bad).substr(0, std::string(bad).find('='));
    CHECK(json::parse(response.body())["detail"].get<std::string>().rfind(parameter + ":", 0) == 0);
  }
}

TEST_CASE("unknown bots, paths and methods") {
  Api api;
  api.add_bot(1);
  check_error(api.get("/api/bots/2"), http::Status::not_found, "not_found");
  check_error(api.get("/api/bots/abc"), http::Status::not_found, "not_found");
  check_error(api.get("/api/bots/2/chats"), http::Status::not_found, "not_found");
  check_error(api.get("/api/nothing"), http::Status::not_found, "not_found");
  check_error(api.get("/api/bots/1/other"), http::Status::not_found, "not_found");
  check_error(api.call(verb::get, "/nothing", {}), http::Status::not_found, "not_found");
  auto response =
      api.call(verb::post, "/api/bots", {{field::authorization, "Bearer " + admin_token}});
  check_error(response, http::Status::method_not_allowed, "method_not_allowed");
  CHECK(response[field::allow] == "GET");
}

TEST_CASE("a bot's active chats, most live bytes first") {
  Api api;
  const auto id = api.add_bot(1);
  const auto path = "/api/bots/" + std::to_string(id) + "/chats";
  CHECK(api.get_json(path).empty());  // not running: no chats

  auto bot = api.fleet.ensure(id, "bot1");
  const std::int64_t sizes[] = {300, 100, 500, 200};
  for (int i = 0; i < 4; ++i) {
    auto chat = bot->add_chat(1000 + i, hangar::test::charged_meter(sizes[i]));
    chat->restarts = static_cast<std::uint32_t>(i);
    chat->last_active_ms = 1700000000123 + i;
  }
  bot->add_chat(2000, hangar::test::charged_meter(0, 4096));

  const auto chats = api.get_json(path);
  REQUIRE(chats.size() == 5);
  std::vector<std::int64_t> order;
  for (const auto& chat : chats) order.push_back(chat["chat_id"]);
  CHECK(order == std::vector<std::int64_t>{1002, 1000, 1003, 1001, 2000});
  CHECK(chats[0]["live_bytes"] == 500);
  CHECK(chats[0]["restarts"] == 2);
  CHECK(chats[0]["last_active"] == "2023-11-14T22:13:20.125Z");
  CHECK(chats[0]["memory_budget"] == api.settings.chat_memory_budget);
  CHECK(chats[4]["memory_budget"] == 4096);
  CHECK(chats[4]["last_active"].is_null());

  const auto two = api.get_json(path + "?limit=2");
  REQUIRE(two.size() == 2);
  CHECK(two[1]["chat_id"] == 1000);
  check_error(api.get(path + "?limit=0"), http::Status::bad_request, "bad_request");
}

TEST_CASE("events, newest first, filtered by bot and kind, paged") {
  Api api;
  const auto alpha = api.add_bot(1, "alpha");
  const auto beta = api.add_bot(2, "beta");
  {
    storage::Database db(api.settings.db_path);
    storage::EventRepository events(db);
    auto event = [&](std::optional<std::int64_t> bot, const char* kind, const char* reason) {
      storage::Event e;
      e.at_ms = 1700000000000;
      e.bot_id = bot;
      e.kind = storage::event_kind_from(kind).value();
      e.reason = reason;
      e.detail = "detail";
      return e;
    };
    events.append(event(alpha, "restart", "budget"));   // 1
    events.append(event(beta, "backoff", "network"));   // 2
    auto with_chat = event(alpha, "restart", "crash");  // 3
    with_chat.chat_id = 42;
    with_chat.live_bytes = 2048;
    with_chat.budget = 1024;
    events.append(with_chat);
    events.append(event(std::nullopt, "evict", "memory_limit"));  // 4
  }

  const auto all = api.get_json("/api/events");
  CHECK(ids_of(all) == std::vector<std::int64_t>{4, 3, 2, 1});
  const auto& e = all[1];
  CHECK(e["at"] == "2023-11-14T22:13:20.000Z");
  CHECK(e["bot"] == "alpha");
  CHECK(e["chat"] == 42);
  CHECK(e["kind"] == "restart");
  CHECK(e["reason"] == "crash");
  CHECK(e["live_bytes"] == 2048);
  CHECK(e["budget"] == 1024);
  CHECK(e["detail"] == "detail");
  CHECK(all[0]["bot"].is_null());
  CHECK(all[2]["chat"].is_null());
  CHECK(all[2]["live_bytes"].is_null());

  CHECK(ids_of(api.get_json("/api/events?bot=alpha")) == std::vector<std::int64_t>{3, 1});
  CHECK(ids_of(api.get_json("/api/events?bot=" + std::to_string(beta))) ==
        std::vector<std::int64_t>{2});
  CHECK(ids_of(api.get_json("/api/events?kind=restart&before=3")) == std::vector<std::int64_t>{1});
  CHECK(ids_of(api.get_json("/api/events?limit=1")) == std::vector<std::int64_t>{4});

  auto unknown = api.get("/api/events?bot=gamma");
  check_error(unknown, http::Status::bad_request, "bad_request");
  CHECK(json::parse(unknown.body())["detail"] == "bot: no bot named or numbered gamma");
  check_error(api.get("/api/events?kind="), http::Status::bad_request, "bad_request");
  check_error(api.get("/api/events?kind=reboot"), http::Status::bad_request, "bad_request");
  check_error(api.get("/api/events?before=-3"), http::Status::bad_request, "bad_request");
  check_error(api.get("/api/events?bot=%zz"), http::Status::bad_request, "bad_request");
}

TEST_CASE("/metrics is open without a metrics token") {
  Api api;
  api.fleet.ensure(1, "alpha");
  auto response = api.call(verb::get, "/metrics", {});
  CHECK(response.result() == http::Status::ok);
  CHECK(response[field::content_type] == metrics_content_type);
  CHECK(response.body().find("hangar_chat_actors{bot=\"alpha\"} 0\n") != std::string::npos);
  CHECK(response.body().find("hangar_process_resident_bytes ") != std::string::npos);
}

TEST_CASE("/metrics needs the metrics token when one is set") {
  const std::string metrics_token = "metrics-secret-42";
  Api api(metrics_token);
  check_error(api.call(verb::get, "/metrics", {}), http::Status::unauthorized, "unauthorized");
  auto wrong = api.call(verb::get, "/metrics", {{field::authorization, "Bearer nope"}});
  check_error(wrong, http::Status::unauthorized, "unauthorized");
  // The admin token is for /api/; /metrics takes only its own.
  check_error(api.call(verb::get, "/metrics", {{field::authorization, "Bearer " + admin_token}}),
              http::Status::unauthorized, "unauthorized");
  auto right = api.call(verb::get, "/metrics", {{field::authorization, "Bearer " + metrics_token}});
  CHECK(right.result() == http::Status::ok);
  CHECK(right.body().find(metrics_token) == std::string::npos);
}
