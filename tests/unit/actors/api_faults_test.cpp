// How a bot answers the Bot API's faults, on the real supervisor, bot and chat actors with
// scripted sessions and the actor clock in the test's hand:
//   - 401 on any call, or 404 on getMe: state unauthorized, no further call, until `bot enable`
//     or a token; an update whose reply was refused is answered after that;
//   - 409 for a webhook: one deleteWebhook at once, then polling; 409 for another poller: backoff;
//   - other failures, and a failed read of the bot's position from storage: backoff that grows
//     to its cap, with the reason and the time of the next try in the bot's status, and events.
#include <catch2/catch.hpp>

#include "platform/core/wall_clock.hpp"
#include "storage/bot_repository.hpp"
#include "storage/event_repository.hpp"
#include "tests/unit/actors/fleet_harness.hpp"

using namespace hangar;
using namespace hangar::test;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {

constexpr milliseconds first = 1000ms;
constexpr milliseconds cap = 8000ms;
constexpr milliseconds step = 10ms;
constexpr std::int64_t chat = 5;

Settings fault_settings() {
  auto settings = FleetHarness::default_settings();
  settings.timings.api_backoff_first = first;
  settings.timings.api_backoff_max = cap;
  return settings;
}

botapi::CallResult api_error(int code, const std::string& description) {
  botapi::CallResult result;
  result.outcome = botapi::Outcome::api_error;
  result.http_status = code;
  result.error_code = code;
  result.description = description;
  return result;
}

botapi::CallResult webhook_conflict() {
  return api_error(409,
                   "Conflict: can't use getUpdates method while webhook is active; use "
                   "deleteWebhook to delete the webhook first");
}

botapi::CallResult poller_conflict() {
  return api_error(409,
                   "Conflict: terminated by other getUpdates request; make sure that only one bot "
                   "instance is running");
}

// Moves the clock on, a step at a time, until `done` holds; returns how long that took.
template <typename Done>
milliseconds time_until(FleetHarness& harness, Done done, milliseconds limit) {
  milliseconds waited{0};
  while (!done()) {
    if (waited > limit) FAIL("still waiting after " << waited.count() << " ms");
    harness.advance(step);
    harness.settle();
    waited += step;
  }
  return waited;
}

// Starts the fleet and stops once the bot has opened its session, before it read its position
// from storage: the test can script its first answers, or fail that read.
ScriptedSession& start_until_session(FleetHarness& harness, const std::string& name) {
  const auto token = FleetHarness::token_of(name);
  harness.start();
  for (int round = 0; round < 100; ++round) {
    harness.run_actors();
    if (!harness.sessions(token).empty()) return harness.session(token);
    harness.run_storage();
  }
  FAIL("the bot never opened its session");
  throw std::logic_error("unreachable");
}

void enable(FleetHarness& harness, std::int64_t id) {
  REQUIRE(storage::BotRepository(harness.db()).set_enabled(id, true));
  harness.reload();
  harness.settle();
}

}  // namespace

TEST_CASE("a 401 on getUpdates stops every call of the bot until it is enabled again") {
  FleetHarness harness(fault_settings());
  const auto neighbour = harness.add_bot("neighbour");
  const auto id = harness.start_with_bot("revoked");
  const auto token = FleetHarness::token_of("revoked");
  auto& session = harness.session(token);
  const auto status = harness.fleet().find(id);

  session.answer_poll(api_error(401, "Unauthorized"));
  harness.settle();

  const auto report = status->state_report();
  CHECK(report.state == BotState::unauthorized);
  CHECK(report.reason == "token_rejected");
  CHECK_FALSE(report.next_try_ms);
  CHECK(status->last_error() == "getUpdates: api_error 401: Unauthorized");
  CHECK(session.closed());
  const auto events = harness.events(id, storage::EventKind::unauthorized);
  REQUIRE(events.size() == 1);
  CHECK(events[0].reason == "token_rejected");
  CHECK_THAT(events[0].detail, Catch::Contains("401") && Catch::Contains("hangar bot enable"));
  CHECK(storage::BotRepository(harness.db()).find(id)->unauthorized == status->last_error());
  CHECK(harness.events(id, storage::EventKind::restart).empty());  // not a crash

  // No call however long it waits: no new session, no call on the old one.
  const auto calls = session.finished().size();
  harness.advance(10min);
  harness.settle();
  CHECK(harness.sessions(token).size() == 1);
  CHECK(session.finished().size() == calls);
  CHECK(status->state == BotState::unauthorized);

  // Its neighbour never noticed.
  auto& other = harness.session(FleetHarness::token_of("neighbour"));
  other.deliver({text_update(1, chat, "still here")});
  harness.settle();
  CHECK(other.sent_texts(chat) == std::vector<std::string>{"still here"});
  CHECK(harness.fleet().find(neighbour)->state == BotState::running);

  // `bot enable` on the bot, which is enabled already, starts it again.
  enable(harness, id);
  REQUIRE(harness.sessions(token).size() == 2);
  CHECK(harness.session(token).polling());
  CHECK(status->state == BotState::running);
  CHECK_FALSE(status->last_error());
  CHECK_FALSE(storage::BotRepository(harness.db()).find(id)->unauthorized);
}

TEST_CASE("bots whose tokens are refused together are each refused once, never retried") {
  FleetHarness harness(fault_settings());
  const std::vector<std::string> names = {"first", "second", "third"};
  for (const auto& name : names) harness.add_bot(name);
  harness.start();
  harness.settle();
  for (const auto& name : names)
    harness.session(FleetHarness::token_of(name)).answer_poll(api_error(401, "Unauthorized"));
  harness.settle();
  harness.advance(5s);  // several config reads
  harness.settle();
  for (const auto& name : names) {
    INFO(name);
    CHECK(harness.sessions(FleetHarness::token_of(name)).size() == 1);
    CHECK(storage::BotRepository(harness.db()).find(name)->unauthorized);
  }
}

TEST_CASE("a reply refused with 401 keeps its update, which is answered after `bot enable`") {
  FleetHarness harness(fault_settings());
  const auto id = harness.start_with_bot("revoked");
  const auto token = FleetHarness::token_of("revoked");
  auto& session = harness.session(token);
  session.script("sendMessage", api_error(401, "Unauthorized"));

  session.deliver({text_update(1, chat, "hello")});
  harness.settle();

  CHECK(harness.fleet().find(id)->state == BotState::unauthorized);
  CHECK(harness.fleet().find(id)->last_error() == "sendMessage: api_error 401: Unauthorized");
  CHECK(session.sent_texts(chat).empty());
  CHECK(harness.pending_updates(id) == 1);  // not dropped, not dead-lettered

  enable(harness, id);
  CHECK(harness.session(token).sent_texts(chat) == std::vector<std::string>{"hello"});
  CHECK(harness.pending_updates(id) == 0);
}

TEST_CASE("a 404 on getMe is a refused token too, and a token given starts the bot again") {
  FleetHarness harness(fault_settings());
  const auto id = harness.add_bot("deleted");
  const auto token = FleetHarness::token_of("deleted");
  auto& session = start_until_session(harness, "deleted");
  session.script("getMe", api_error(404, "Not Found"));
  harness.settle();

  CHECK(harness.fleet().find(id)->state == BotState::unauthorized);
  CHECK(harness.fleet().find(id)->last_error() == "getMe: api_error 404: Not Found");
  CHECK(session.count("getMe") == 1);
  CHECK(session.count("deleteWebhook") == 0);
  harness.advance(10min);
  harness.settle();
  CHECK(harness.sessions(token).size() == 1);

  // `hangar bot set --token`: the same token, which the operator says works again.
  storage::BotChanges changes;
  changes.token = token;
  REQUIRE(storage::BotRepository(harness.db()).update(id, changes));
  harness.reload();
  harness.settle();
  REQUIRE(harness.sessions(token).size() == 2);
  CHECK(harness.session(token).polling());
  CHECK(harness.fleet().find(id)->state == BotState::running);
}

TEST_CASE("a webhook conflict is answered with one deleteWebhook, then polling at once") {
  FleetHarness harness(fault_settings());
  const auto id = harness.start_with_bot("hooked");
  auto& session = harness.session(FleetHarness::token_of("hooked"));
  const auto status = harness.fleet().find(id);
  REQUIRE(session.count("deleteWebhook") == 1);  // start-up's

  session.answer_poll(webhook_conflict());
  harness.settle();  // the clock has not moved
  CHECK(session.count("deleteWebhook") == 2);
  CHECK(session.polling());
  auto conflicts = harness.events(id, storage::EventKind::conflict);
  REQUIRE(conflicts.size() == 1);
  CHECK(conflicts[0].reason == "webhook");

  // Set again before a poll got through: the next deleteWebhook waits out a backoff, so two
  // clients fighting over the webhook cannot spin.
  session.answer_poll(webhook_conflict());
  harness.settle();
  CHECK(session.count("deleteWebhook") == 2);
  auto report = status->state_report();
  CHECK(report.state == BotState::conflict);
  CHECK(report.reason == "webhook");
  CHECK(report.next_try_ms);
  CHECK_THAT(*status->last_error(), Catch::Contains("webhook is active"));
  const auto waited = time_until(
      harness, [&] { return session.count("deleteWebhook") == 3; }, 3 * first);
  // The second failure of the streak: drawn between first and 2 * first.
  CHECK(waited >= first);
  CHECK(waited <= 2 * first + step);
  CHECK(session.polling());
  CHECK(harness.events(id, storage::EventKind::conflict).size() == 1);  // the same fault

  session.deliver({text_update(1, chat, "through")});
  harness.settle();
  CHECK(session.sent_texts(chat) == std::vector<std::string>{"through"});
  CHECK(status->state == BotState::running);
  CHECK_FALSE(status->last_error());
  CHECK(harness.events(id, storage::EventKind::resume).size() == 1);
}

TEST_CASE("another poller: conflict and a backoff that grows to its cap, and nothing is lost") {
  FleetHarness harness(fault_settings());
  const auto id = harness.start_with_bot("contested");
  auto& session = harness.session(FleetHarness::token_of("contested"));
  const auto status = harness.fleet().find(id);
  const auto deletes = session.count("deleteWebhook");

  milliseconds nominal = first;
  for (int failure = 1; failure <= 6; ++failure) {
    INFO("failure " << failure);
    session.answer_poll(poller_conflict());
    harness.settle();
    const auto report = status->state_report();
    CHECK(report.state == BotState::conflict);
    CHECK(report.reason == "other_poller");
    REQUIRE(report.next_try_ms);
    CHECK(*report.next_try_ms <= now_ms() + nominal.count());
    CHECK_FALSE(session.polling());
    // Nothing before half the nominal wait, and the poll by the nominal wait: 1, 2, 4, 8, 8, 8 s.
    const auto waited = time_until(
        harness, [&] { return session.polling(); }, 2 * cap);
    CHECK(waited >= nominal / 2);
    CHECK(waited <= nominal + step);
    nominal = std::min(2 * nominal, cap);
  }
  CHECK(session.count("deleteWebhook") == deletes);  // not a webhook: deleting one would not help
  const auto conflicts = harness.events(id, storage::EventKind::conflict);
  REQUIRE(conflicts.size() == 1);  // one per streak and fault, not one per try
  CHECK(conflicts[0].reason == "other_poller");

  session.deliver({text_update(1, chat, "one"), text_update(2, chat, "two")});
  harness.settle();
  CHECK(session.sent_texts(chat) == std::vector<std::string>{"one", "two"});
  CHECK(status->state == BotState::running);
  const auto resumed = harness.events(id, storage::EventKind::resume);
  REQUIRE(resumed.size() == 1);
  CHECK_THAT(resumed[0].detail, Catch::Contains("6 failed tries"));

  // The streak is over: the next failure waits `first` again.
  session.answer_poll(poller_conflict());
  harness.settle();
  CHECK(time_until(
            harness, [&] { return session.polling(); }, 2 * cap) <= first + step);
}

TEST_CASE("a server error backs off with its reason, its error and the time of the next try") {
  FleetHarness harness(fault_settings());
  const auto id = harness.start_with_bot("flaky");
  auto& session = harness.session(FleetHarness::token_of("flaky"));
  const auto status = harness.fleet().find(id);

  const auto before = now_ms();
  session.answer_poll(api_error(500, "Internal Server Error"));
  harness.settle();
  const auto report = status->state_report();
  CHECK(report.state == BotState::backoff);
  CHECK(report.reason == "api_error");
  CHECK(status->last_error() == "getUpdates: api_error 500: Internal Server Error");
  REQUIRE(report.next_try_ms);
  CHECK(*report.next_try_ms >= before + first.count() / 2);
  CHECK(*report.next_try_ms <= now_ms() + first.count());
  const auto backoffs = harness.events(id, storage::EventKind::backoff);
  REQUIRE(backoffs.size() == 1);
  CHECK(backoffs[0].reason == "api_error");
  CHECK_THAT(backoffs[0].detail, Catch::Contains("500") && Catch::Contains("next try in"));

  time_until(
      harness, [&] { return session.polling(); }, first + step);
  CHECK_FALSE(status->state_report().next_try_ms);  // trying now, not waiting
}

TEST_CASE("a 429 on getUpdates keeps the bot running, waits retry_after, then polls") {
  FleetHarness harness(fault_settings());
  const auto id = harness.start_with_bot("crowded");
  auto& session = harness.session(FleetHarness::token_of("crowded"));
  const auto status = harness.fleet().find(id);

  auto flood = api_error(429, "Too Many Requests: retry after 5");
  flood.retry_after_seconds = 5;
  session.answer_poll(flood);
  harness.settle();
  const auto report = status->state_report();
  CHECK(report.state == BotState::running);
  CHECK(report.reason == "flood_wait");
  CHECK(status->last_error() == "getUpdates: api_error 429: Too Many Requests: retry after 5");
  REQUIRE(report.next_try_ms);
  CHECK(*report.next_try_ms >= now_ms() + 4000);

  // Nothing before retry_after, which is longer than the backoff; the poll after it clears the
  // reason and the error.
  harness.advance(4900ms);
  harness.settle();
  CHECK_FALSE(session.polling());
  harness.advance(200ms);
  harness.settle();
  REQUIRE(session.polling());
  session.deliver({text_update(1, 3, "hello")});
  harness.settle();
  CHECK(session.sent_texts(3) == std::vector<std::string>{"hello"});
  CHECK_FALSE(status->state_report().reason);
  CHECK_FALSE(status->last_error());
}

TEST_CASE("a failed read of the bot's position backs off as a storage fault, then starts") {
  FleetHarness harness(fault_settings());
  const auto id = harness.add_bot("unstored");
  auto& session = start_until_session(harness, "unstored");
  harness.fail_storage(1);
  harness.settle();

  const auto status = harness.fleet().find(id);
  const auto report = status->state_report();
  CHECK(report.state == BotState::backoff);  // not stuck in starting
  CHECK(report.reason == "storage");
  CHECK(report.next_try_ms);
  CHECK_THAT(*status->last_error(),
             Catch::Contains("cannot read the bot's inbox") && Catch::Contains("disk I/O error"));
  CHECK(session.count("getMe") == 0);  // nothing without its position

  const auto waited = time_until(
      harness, [&] { return session.polling(); }, first + step);
  CHECK(waited >= first / 2);
  CHECK(status->state == BotState::running);
  const auto backoffs = harness.events(id, storage::EventKind::backoff);
  REQUIRE(backoffs.size() == 1);
  CHECK(backoffs[0].reason == "storage");
}
