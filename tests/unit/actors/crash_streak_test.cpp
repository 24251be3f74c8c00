// The crash streak that dead-letters an update: a chat actor that crashes on an update is
// replaced at once and tries it again; the third crash in a row sets the update aside, with an
// event, and the chat goes on with the next one. The bot itself is never restarted, and its other
// chats never notice.
#include <catch2/catch.hpp>

#include "storage/bot_runtime_repository.hpp"
#include "storage/event_repository.hpp"
#include "storage/inbox_repository.hpp"
#include "tests/unit/actors/fleet_harness.hpp"

using namespace hangar;
using namespace hangar::test;

namespace {

constexpr std::int64_t chat = 11;
constexpr std::int64_t other_chat = 12;

}  // namespace

TEST_CASE("an update that crashes its chat three times in a row is dead-lettered") {
  FleetHarness harness;
  const auto bot_id = harness.start_with_bot("brittle", "crash-on:boom");
  auto& session = harness.session(FleetHarness::token_of("brittle"));

  session.deliver({text_update(1, chat, "boom"), text_update(2, other_chat, "elsewhere"),
                   text_update(3, chat, "after")});
  harness.settle();

  // Crashes 1 and 2 replayed "boom"; the third set it aside and "after" went on.
  CHECK(session.sent_texts(chat) == std::vector<std::string>{"after"});
  CHECK(session.sent_texts(other_chat) == std::vector<std::string>{"elsewhere"});
  CHECK(storage::InboxRepository(harness.db()).dead_letter_count(bot_id) == 1);
  CHECK(harness.pending_updates(bot_id) == 0);
  const auto dead = harness.events(bot_id, storage::EventKind::dead_letter);
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].reason == "crash");
  CHECK(dead[0].chat_id == chat);
  CHECK_THAT(dead[0].detail, Catch::Contains("update 1") && Catch::Contains("3 times"));
  CHECK(harness.events(bot_id, storage::EventKind::restart).empty());  // the bot ran on
  CHECK(harness.fleet().find(bot_id)->restarts == 0);
  // Handled counts the update answered, not the one set aside, live and in SQLite alike.
  CHECK(harness.fleet().find(bot_id)->updates_handled == 2);
  CHECK(storage::BotRuntimeRepository(harness.db()).load(bot_id).updates_handled == 2);
  for (const auto& status : harness.fleet().find(bot_id)->chats())
    CHECK(status->restarts == (status->chat_id == chat ? 3 : 0));  // three actors crashed in one
}

TEST_CASE("only the updates that crash are dead-lettered; those between them are answered") {
  FleetHarness harness;
  const auto bot_id = harness.start_with_bot("brittle", "crash-on:boom");
  auto& session = harness.session(FleetHarness::token_of("brittle"));

  // Each "boom" crashes three actors in a row; each good update after it is handled by the
  // fourth, and the next "boom" starts a streak of its own.
  session.deliver({text_update(1, chat, "boom"), text_update(2, chat, "ok 1"),
                   text_update(3, chat, "boom"), text_update(4, chat, "ok 2")});
  harness.settle();

  CHECK(session.sent_texts(chat) == std::vector<std::string>{"ok 1", "ok 2"});
  CHECK(storage::InboxRepository(harness.db()).dead_letter_count(bot_id) == 2);
  CHECK(harness.events(bot_id, storage::EventKind::dead_letter).size() == 2);
  CHECK(harness.pending_updates(bot_id) == 0);
}
