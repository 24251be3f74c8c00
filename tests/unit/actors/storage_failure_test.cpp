// Storage that fails for a while (another program holding the write lock, a full disk): a chat
// waits and tries the same step again, with a backoff. A failed read of its state is no crash of
// the chat, so it never dead-letters a healthy update; a failed mark is written again rather than
// left for a replay that would answer the update twice.
#include <catch2/catch.hpp>

#include "storage/event_repository.hpp"
#include "storage/inbox_repository.hpp"
#include "tests/unit/actors/fleet_harness.hpp"

using namespace hangar;
using namespace hangar::test;

namespace {

constexpr std::int64_t chat = 7;

// Lets `failures` storage failures in a row play out: each retry waits twice as long as the one
// before, starting at storage_retry.
void ride_out(FleetHarness& harness, int failures) {
  auto wait = harness.settings().timings.storage_retry;
  for (int i = 0; i <= failures; ++i) {
    harness.settle();
    harness.advance(wait);
    wait *= 2;
  }
  harness.settle();
}

}  // namespace

TEST_CASE("a chat whose state cannot be read waits and reads again, and does not crash") {
  FleetHarness harness;
  const auto bot_id = harness.start_with_bot("tally", "counter");
  auto& session = harness.session(FleetHarness::token_of("tally"));

  session.deliver({text_update(1, chat, "one")});
  harness.run_actors();   // the bot posts the batch's commit
  harness.run_storage();  // committed
  harness.run_actors();   // routed: the new chat posts the read of its state
  REQUIRE(harness.storage_waiting() == 1);
  harness.fail_storage(4);  // more than the 3 crashes that would dead-letter the update
  ride_out(harness, 4);

  CHECK(session.sent_texts(chat) == std::vector<std::string>{"#1 one"});
  CHECK(harness.pending_updates(bot_id) == 0);
  CHECK(storage::InboxRepository(harness.db()).dead_letter_count(bot_id) == 0);
  CHECK(harness.events(bot_id, storage::EventKind::dead_letter).empty());
  CHECK(harness.events(bot_id, storage::EventKind::restart).empty());
  for (const auto& status : harness.fleet().find(bot_id)->chats()) CHECK(status->restarts == 0);

  // Its count was read and saved: the next message counts on.
  session.deliver({text_update(2, chat, "two")});
  harness.settle();
  CHECK(session.sent_texts(chat) == std::vector<std::string>{"#1 one", "#2 two"});
}

TEST_CASE("a mark that cannot be written is written again, and the update is answered once") {
  FleetHarness harness;
  const auto bot_id = harness.start_with_bot("marker", "counter");
  auto& session = harness.session(FleetHarness::token_of("marker"));

  session.deliver({text_update(1, chat, "one")});
  harness.run_actors();   // the commit is posted
  harness.run_storage();  // committed
  harness.run_actors();   // the chat reads its state and updates
  harness.run_storage();
  harness.run_actors();  // it answers and posts the mark
  REQUIRE(session.sent_texts(chat) == std::vector<std::string>{"#1 one"});
  REQUIRE(harness.storage_waiting() == 1);
  harness.fail_storage(3);
  ride_out(harness, 3);
  CHECK(harness.pending_updates(bot_id) == 0);

  // A chat that retires and comes back finds nothing to replay, and its count went on.
  harness.advance(harness.settings().chat_idle_timeout);
  harness.settle();
  REQUIRE(harness.fleet().find(bot_id)->chat_count() == 0);
  session.deliver({text_update(2, chat, "two")});
  harness.settle();
  CHECK(session.sent_texts(chat) == std::vector<std::string>{"#1 one", "#2 two"});
  CHECK(harness.events(bot_id, storage::EventKind::restart).empty());
}
