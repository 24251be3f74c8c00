#include <catch2/catch.hpp>

#include "storage/bot_repository.hpp"
#include "storage/bot_runtime_repository.hpp"
#include "storage/chat_state_repository.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

using namespace hangar::storage;
using hangar::storage::test::new_bot;
using hangar::storage::test::token;
using hangar::test::TempDir;

TEST_CASE("a chat's state survives reopening the database, per bot and per chat") {
  TempDir dir;
  const auto path = dir.file("hangar.db");
  std::int64_t alpha = 0;
  std::int64_t beta = 0;
  {
    Database db(path);
    alpha = BotRepository(db).add(new_bot(token(111)));
    beta = BotRepository(db).add(new_bot(token(222)));
    ChatStateRepository states(db);
    CHECK_FALSE(states.load(alpha, 10));
    states.save(alpha, 10, "#1");
    states.save(alpha, 10, "#2");
    states.save(alpha, -100123, "");
    states.save(beta, 10, std::string("bin\0ary", 7));
  }
  Database db(path);
  ChatStateRepository states(db);
  CHECK(states.load(alpha, 10) == std::optional<std::string>("#2"));
  CHECK(states.load(alpha, -100123) == std::optional<std::string>(""));
  CHECK(states.load(beta, 10) == std::optional<std::string>(std::string("bin\0ary", 7)));
  CHECK_FALSE(states.load(beta, 11));
}

TEST_CASE("a bot's runtime figures accumulate across runs") {
  TempDir dir;
  Database db(dir.file("hangar.db"));
  const auto bot = BotRepository(db).add(new_bot(token(111)));
  BotRuntimeRepository runtime(db);

  auto fresh = runtime.load(bot);
  CHECK(fresh.username.empty());
  CHECK(fresh.restarts == 0);
  CHECK(fresh.updates_handled == 0);

  runtime.set_username(bot, "hangar_test_bot");
  runtime.add_restart(bot);
  runtime.add_restart(bot);
  runtime.add_handled(bot, 40);
  runtime.add_handled(bot, 2);
  runtime.set_username(bot, "renamed_bot");

  auto loaded = runtime.load(bot);
  CHECK(loaded.username == "renamed_bot");
  CHECK(loaded.restarts == 2);
  CHECK(loaded.updates_handled == 42);
}

TEST_CASE("runtime figures for a removed bot go with it instead of failing") {
  TempDir dir;
  Database db(dir.file("hangar.db"));
  const auto bot = BotRepository(db).add(new_bot(token(111)));
  BotRepository(db).remove(bot);
  BotRuntimeRepository runtime(db);
  CHECK_NOTHROW(runtime.add_restart(bot));
  CHECK_NOTHROW(runtime.add_handled(bot, 1));
  CHECK_NOTHROW(runtime.set_username(bot, "gone"));
  CHECK(runtime.load(bot).restarts == 0);
}
