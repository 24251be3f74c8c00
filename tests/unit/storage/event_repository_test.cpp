#include <catch2/catch.hpp>

#include "storage/bot_repository.hpp"
#include "storage/event_repository.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

using namespace hangar::storage;
using hangar::storage::test::new_bot;
using hangar::storage::test::token;
using hangar::test::TempDir;

namespace {

Event event(std::optional<std::int64_t> bot, EventKind kind, std::string detail = "") {
  Event e;
  e.at_ms = 1700000000000;
  e.bot_id = bot;
  e.kind = kind;
  e.reason = "budget";
  e.detail = std::move(detail);
  return e;
}

std::vector<std::string> details(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.detail);
  return out;
}

using Details = std::vector<std::string>;

struct Fixture {
  TempDir dir;
  Database db{dir.file("hangar.db")};
  std::int64_t alpha = BotRepository(db).add(new_bot(token(111)));
  std::int64_t beta = BotRepository(db).add(new_bot(token(222)));
};

}  // namespace

TEST_CASE_METHOD(Fixture, "an event is stored with every field and listed newest first") {
  EventRepository events(db);
  Event full = event(alpha, EventKind::restart, "first");
  full.chat_id = 42;
  full.live_bytes = 2000000;
  full.budget = 1048576;
  full.crossed_at_ms = 1699999999990;
  full.stopped_at_ms = 1699999999993;
  const auto first = events.append(full);
  const auto second = events.append(event(std::nullopt, EventKind::evict, "second"));
  CHECK(second > first);

  const auto listed = events.list({});
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].id == second);
  CHECK_FALSE(listed[0].bot_id);
  CHECK_FALSE(listed[0].chat_id);
  CHECK_FALSE(listed[0].live_bytes);
  CHECK_FALSE(listed[0].crossed_at_ms);
  CHECK_FALSE(listed[0].stopped_at_ms);
  const Event& got = listed[1];
  CHECK(got.id == first);
  CHECK(got.at_ms == 1700000000000);
  CHECK(got.bot_id == std::optional<std::int64_t>(alpha));
  CHECK(got.chat_id == std::optional<std::int64_t>(42));
  CHECK(got.kind == EventKind::restart);
  CHECK(got.reason == "budget");
  CHECK(got.live_bytes == std::optional<std::int64_t>(2000000));
  CHECK(got.budget == std::optional<std::int64_t>(1048576));
  CHECK(got.detail == "first");
  CHECK(got.crossed_at_ms == std::optional<std::int64_t>(1699999999990));
  CHECK(got.stopped_at_ms == std::optional<std::int64_t>(1699999999993));
}

TEST_CASE_METHOD(Fixture, "enabling a quarantined bot lifts the quarantine and records it") {
  BotRepository bots(db);
  bots.set_quarantined(alpha, true);
  CHECK(bots.set_enabled(alpha, true));
  CHECK_FALSE(bots.find(alpha)->quarantined);
  CHECK(bots.set_enabled(beta, true));  // not quarantined: nothing to lift
  CHECK_FALSE(bots.set_enabled(9999, true));

  const auto listed = EventRepository(db).list({});
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].bot_id == std::optional<std::int64_t>(alpha));
  CHECK(listed[0].kind == EventKind::lift);
  CHECK(listed[0].reason == "enable");
}

TEST_CASE_METHOD(Fixture, "each bot keeps only its newest events") {
  EventRepository events(db, 3);
  for (int i = 1; i <= 5; ++i)
    events.append(event(alpha, EventKind::restart, "a" + std::to_string(i)));
  events.append(event(beta, EventKind::restart, "b1"));
  for (int i = 1; i <= 4; ++i)
    events.append(event(std::nullopt, EventKind::evict, "p" + std::to_string(i)));

  EventFilter of_alpha;
  of_alpha.bot_id = alpha;
  CHECK(details(events.list(of_alpha)) == Details{"a5", "a4", "a3"});
  EventFilter of_beta;
  of_beta.bot_id = beta;
  CHECK(details(events.list(of_beta)) == Details{"b1"});
  CHECK(events.list({}).size() == 7);  // process-wide events are bounded like a bot's
}

TEST_CASE_METHOD(Fixture, "events are filtered by bot and kind and paged with a cursor") {
  EventRepository events(db);
  events.append(event(alpha, EventKind::restart, "1"));
  events.append(event(beta, EventKind::restart, "2"));
  events.append(event(alpha, EventKind::backoff, "3"));
  events.append(event(alpha, EventKind::restart, "4"));
  events.append(event(beta, EventKind::quarantine, "5"));

  EventFilter restarts;
  restarts.kind = EventKind::restart;
  CHECK(details(events.list(restarts)) == Details{"4", "2", "1"});
  EventFilter alpha_restarts = restarts;
  alpha_restarts.bot_id = alpha;
  CHECK(details(events.list(alpha_restarts)) == Details{"4", "1"});

  EventFilter page;
  page.limit = 2;
  const auto first_page = events.list(page);
  CHECK(details(first_page) == Details{"5", "4"});
  page.before_id = first_page.back().id;
  const auto second_page = events.list(page);
  CHECK(details(second_page) == Details{"3", "2"});
  page.before_id = second_page.back().id;
  CHECK(details(events.list(page)) == Details{"1"});
  alpha_restarts.before_id = first_page.back().id;
  CHECK(details(events.list(alpha_restarts)) == Details{"1"});
}

TEST_CASE_METHOD(Fixture, "a page holds between 1 and 1000 events") {
  EventRepository events(db);
  Transaction transaction(db);
  for (int i = 0; i < 1005; ++i) events.append(event(alpha, EventKind::restart));
  transaction.commit();

  EventFilter filter;
  filter.limit = 0;
  CHECK(events.list(filter).size() == 1);
  filter.limit = 5000;
  CHECK(events.list(filter).size() == 1000);
}

TEST_CASE_METHOD(Fixture, "an event about a removed bot is dropped with the bot") {
  EventRepository events(db);
  BotRepository(db).remove(beta);
  CHECK(events.append(event(beta, EventKind::restart)) == 0);
  CHECK(events.list({}).empty());
}
