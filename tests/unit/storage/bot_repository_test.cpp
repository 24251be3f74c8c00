#include <catch2/catch.hpp>

#include "storage/bot_repository.hpp"
#include "storage/bot_runtime_repository.hpp"
#include "storage/chat_state_repository.hpp"
#include "storage/event_repository.hpp"
#include "storage/inbox_repository.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

using namespace hangar::storage;
using hangar::storage::test::new_bot;
using hangar::storage::test::token;
using hangar::test::TempDir;

namespace {

std::int64_t rows(Database& db, const char* sql, std::int64_t bot_id) {
  auto row = db.prepare(sql);
  row.bind(1, bot_id).step();
  return row.column_int64(0);
}

}  // namespace

TEST_CASE("a bot is registered with defaults and found by id, id string or name") {
  TempDir dir;
  Database db(dir.file("hangar.db"));
  BotRepository bots(db);

  const auto first = bots.add(new_bot(token(111)));
  NewBot custom = new_bot(token(222), "support");
  custom.behavior = "counter";
  custom.api_url = "http://127.0.0.1:9000";
  custom.memory_budget = 1u << 20;
  const auto second = bots.add(custom);

  auto bot = bots.find(first);
  REQUIRE(bot);
  CHECK(bot->name == "bot" + std::to_string(first));
  CHECK(bot->token == token(111));
  CHECK(bot->behavior == "echo");
  CHECK_FALSE(bot->api_url);
  CHECK_FALSE(bot->memory_budget);
  CHECK(bot->enabled);
  CHECK_FALSE(bot->quarantined);

  auto by_name = bots.find("support");
  REQUIRE(by_name);
  CHECK(by_name->id == second);
  CHECK(by_name->behavior == "counter");
  CHECK(by_name->api_url == std::optional<std::string>("http://127.0.0.1:9000"));
  CHECK(by_name->memory_budget == std::optional<std::uint64_t>(1u << 20));
  CHECK(bots.find(std::to_string(second))->name == "support");
  CHECK_FALSE(bots.find("nobody"));
  CHECK_FALSE(bots.find(std::int64_t{999}));

  auto all = bots.list();
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == first);
  CHECK(all[1].id == second);
}

TEST_CASE("a name or token clash is refused, naming the clash and never the token") {
  TempDir dir;
  Database db(dir.file("hangar.db"));
  BotRepository bots(db);
  const auto id = bots.add(new_bot(token(111), "alpha"));
  bots.add(new_bot(token(222), "beta"));

  CHECK_THROWS_WITH(bots.add(new_bot(token(333), "alpha")), "a bot named alpha already exists");
  CHECK_THROWS_WITH(bots.add(new_bot(token(111), "gamma")),
                    "a bot with this token already exists (id " + std::to_string(id) + ")");
  CHECK_THROWS_WITH(bots.add(new_bot(token(333), "")), "a bot's name cannot be empty");

  BotChanges rename;
  rename.name = "alpha";
  const auto beta = bots.find("beta")->id;
  CHECK_THROWS_WITH(bots.update(beta, rename), "a bot named alpha already exists");
  BotChanges retoken;
  retoken.token = token(111);
  CHECK_THROWS_WITH(bots.update(beta, retoken),
                    "a bot with this token already exists (id " + std::to_string(id) + ")");
  CHECK(bots.list().size() == 2);
  CHECK(bots.find(beta)->name == "beta");
}

TEST_CASE("a default name taken by hand is reported as a clash") {
  TempDir dir;
  Database db(dir.file("hangar.db"));
  BotRepository bots(db);
  bots.add(new_bot(token(111), "bot2"));
  CHECK_THROWS_WITH(bots.add(new_bot(token(222))), "a bot named bot2 already exists");
  CHECK(bots.list().size() == 1);
}

TEST_CASE("a bot's settings change, and can go back to following serve's defaults") {
  TempDir dir;
  Database db(dir.file("hangar.db"));
  BotRepository bots(db);
  NewBot bot = new_bot(token(111), "alpha");
  bot.api_url = "http://example.test";
  bot.memory_budget = 4096;
  const auto id = bots.add(bot);

  BotChanges changes;
  changes.name = "renamed";
  changes.behavior = "leak:1KiB";
  CHECK(bots.update(id, changes));
  auto changed = bots.find(id);
  CHECK(changed->name == "renamed");
  CHECK(changed->behavior == "leak:1KiB");
  CHECK(changed->api_url == std::optional<std::string>("http://example.test"));
  CHECK(changed->memory_budget == std::optional<std::uint64_t>(4096));

  BotChanges defaults;
  defaults.api_url = "";
  defaults.memory_budget = 0;
  CHECK(bots.update(id, defaults));
  CHECK_FALSE(bots.find(id)->api_url);
  CHECK_FALSE(bots.find(id)->memory_budget);

  CHECK_FALSE(bots.update(999, changes));
}

TEST_CASE("enabling a bot lifts its quarantine") {
  TempDir dir;
  Database db(dir.file("hangar.db"));
  BotRepository bots(db);
  const auto id = bots.add(new_bot(token(111)));

  CHECK(bots.set_quarantined(id, true));
  CHECK(bots.find(id)->quarantined);
  CHECK(bots.set_enabled(id, false));
  CHECK_FALSE(bots.find(id)->enabled);
  CHECK(bots.find(id)->quarantined);
  CHECK(bots.set_enabled(id, true));
  CHECK(bots.find(id)->enabled);
  CHECK_FALSE(bots.find(id)->quarantined);
  CHECK_FALSE(bots.set_enabled(999, true));
  CHECK_FALSE(bots.set_quarantined(999, true));
}

TEST_CASE("removing a bot removes its state") {
  TempDir dir;
  Database db(dir.file("hangar.db"));
  BotRepository bots(db);
  const auto id = bots.add(new_bot(token(111), "doomed"));
  const auto other = bots.add(new_bot(token(222), "kept"));
  for (auto bot : {id, other}) {
    InboxRepository(db).append(bot, {{1, 10, "{}"}, {2, 10, "{}"}});
    InboxRepository(db).dead_letter(bot, 2, "bad");
    ChatStateRepository(db).save(bot, 10, "#1");
    BotRuntimeRepository(db).add_restart(bot);
    Event event;
    event.bot_id = bot;
    event.kind = EventKind::restart;
    EventRepository(db).append(event);
  }

  CHECK(bots.remove(id));
  CHECK_FALSE(bots.find(id));
  CHECK_FALSE(bots.remove(id));
  for (const char* sql : {"SELECT count(*) FROM inbox WHERE bot_id = ?1",
                          "SELECT count(*) FROM dead_letters WHERE bot_id = ?1",
                          "SELECT count(*) FROM chat_state WHERE bot_id = ?1",
                          "SELECT count(*) FROM bot_runtime WHERE bot_id = ?1",
                          "SELECT count(*) FROM events WHERE bot_id = ?1"}) {
    INFO(sql);
    CHECK(rows(db, sql, id) == 0);
    CHECK(rows(db, sql, other) == 1);
  }
}

TEST_CASE("the config version grows with changes made through another connection") {
  TempDir dir;
  const auto path = dir.file("hangar.db");
  Database serve_db(path);
  Database cli_db(path);
  BotRepository serve(serve_db);
  BotRepository cli(cli_db);

  auto seen = serve.config_version();
  const auto id = cli.add(new_bot(token(111)));
  CHECK(serve.config_version() > seen);
  seen = serve.config_version();

  BotChanges changes;
  changes.behavior = "counter";
  cli.update(id, changes);
  CHECK(serve.config_version() > seen);
  seen = serve.config_version();

  cli.set_enabled(id, false);
  CHECK(serve.config_version() > seen);
  seen = serve.config_version();

  cli.remove(id);
  CHECK(serve.config_version() > seen);
  seen = serve.config_version();

  // Runtime figures are not configuration.
  BotRuntimeRepository(cli_db).add_restart(cli.add(new_bot(token(222))));
  seen = serve.config_version();
  BotRuntimeRepository(cli_db).add_handled(cli.find("bot2")->id, 5);
  CHECK(serve.config_version() == seen);
}

TEST_CASE("a token of another Bot API bot starts its offset and inbox afresh") {
  TempDir dir;
  Database db(dir.file("hangar.db"));
  BotRepository bots(db);
  InboxRepository inbox(db);
  const auto id = bots.add(new_bot(token(111)));
  inbox.append(id, {{500, 1, "{}"}});

  BotChanges same_owner;
  same_owner.token = token(111, 'B');  // the same bot with a regenerated token
  bots.update(id, same_owner);
  CHECK(inbox.next_offset(id) == 501);
  CHECK(inbox.pending_count(id) == 1);

  BotChanges new_owner;
  new_owner.token = token(999);
  bots.update(id, new_owner);
  CHECK(inbox.next_offset(id) == 0);
  CHECK(inbox.pending_count(id) == 0);
  CHECK(inbox.append(id, {{7, 1, "{}"}}).stored.size() == 1);
}

TEST_CASE("a bot's proxy is stored, kept by other changes, and cleared to follow serve's") {
  TempDir dir;
  Database db(dir.file("hangar.db"));
  BotRepository bots(db);
  NewBot behind = new_bot(token(111), "behind");
  behind.proxy = "socks5://user:secret@127.0.0.1:1080";
  const auto id = bots.add(behind);
  const auto plain = bots.add(new_bot(token(222)));
  CHECK(bots.find(id)->proxy == behind.proxy);
  CHECK_FALSE(bots.find(plain)->proxy);

  const auto version = bots.config_version();
  BotChanges rename;
  rename.name = "still-behind";
  REQUIRE(bots.update(id, rename));
  CHECK(bots.find(id)->proxy == behind.proxy);

  BotChanges direct;
  direct.proxy = "direct";
  REQUIRE(bots.update(id, direct));
  CHECK(bots.find(id)->proxy == std::optional<std::string>("direct"));
  CHECK(bots.config_version() > version);  // a running serve restarts the bot on it

  BotChanges follow;
  follow.proxy = "";
  REQUIRE(bots.update(id, follow));
  CHECK_FALSE(bots.find(id)->proxy);
}
