#include <catch2/catch.hpp>

#include "storage/bot_repository.hpp"
#include "storage/inbox_repository.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

using namespace hangar::storage;
using hangar::storage::test::new_bot;
using hangar::storage::test::token;
using hangar::test::TempDir;

namespace {

std::vector<std::int64_t> ids(const std::vector<InboxUpdate>& updates) {
  std::vector<std::int64_t> out;
  for (const auto& update : updates) out.push_back(update.update_id);
  return out;
}

InboxUpdate update(std::int64_t id, std::optional<std::int64_t> chat) {
  return {id, chat, "{\"update_id\":" + std::to_string(id) + "}"};
}

struct Fixture {
  TempDir dir;
  Database db{dir.file("hangar.db")};
  InboxRepository inbox{db};
  std::int64_t bot = BotRepository(db).add(new_bot(token(111)));
};

using Ids = std::vector<std::int64_t>;

}  // namespace

TEST_CASE_METHOD(Fixture, "a batch is stored and the offset moves past its largest update") {
  CHECK(inbox.next_offset(bot) == 0);
  const auto appended = inbox.append(bot, {update(5, 10), update(6, 20), update(7, std::nullopt)});
  CHECK(ids(appended.stored) == Ids{5, 6, 7});
  CHECK(appended.stored[0].payload == "{\"update_id\":5}");
  CHECK(appended.stored[2].seq == 3);
  CHECK(appended.next_offset == 8);
  CHECK_FALSE(appended.ids_restarted_below);
  CHECK(inbox.next_offset(bot) == 8);
  CHECK(inbox.pending_count(bot) == 3);
}

TEST_CASE_METHOD(Fixture, "updates a stale poll brings again are dropped, even once handled") {
  inbox.append(bot, {update(1, 10), update(2, 10), update(3, 10)});
  inbox.mark_handled(bot, 1);

  // A poll sent with offset 1 before the batch above was committed: 1 to 3 are known.
  const auto appended = inbox.append(bot, {update(1, 10), update(3, 10), update(4, 10)}, 1);
  CHECK(ids(appended.stored) == Ids{4});
  CHECK_FALSE(appended.ids_restarted_below);
  CHECK(inbox.next_offset(bot) == 5);
  CHECK(ids(inbox.pending(bot, 10, 0, 100)) == Ids{2, 3, 4});

  // The same update twice within one batch is stored once.
  CHECK(ids(inbox.append(bot, {update(9, 10), update(9, 10)}).stored) == Ids{9});
  CHECK(inbox.next_offset(bot) == 10);
  CHECK(inbox.append(bot, {}).stored.empty());
  CHECK(inbox.next_offset(bot) == 10);
}

TEST_CASE_METHOD(Fixture,
                 "ids that restart below the offset are new updates, kept in arrival order") {
  inbox.append(bot, {update(1000, 10), update(1001, 10)});
  inbox.mark_handled(bot, 2);

  // Telegram restarted the bot's ids, and the new ones even reuse a pending update's id.
  const auto appended = inbox.append(bot, {update(1000, 10), update(17, 20)});
  CHECK(ids(appended.stored) == Ids{1000, 17});
  CHECK(appended.ids_restarted_below == std::optional<std::int64_t>(1002));
  CHECK(appended.next_offset == 1001);
  CHECK(inbox.next_offset(bot) == 1001);

  // Both updates numbered 1000 wait, the older first; chat 20 is served after chat 10.
  const auto chat_10 = inbox.pending(bot, 10, 0, 100);
  REQUIRE(chat_10.size() == 2);
  CHECK(chat_10[0].seq < chat_10[1].seq);
  CHECK(ids(inbox.pending(bot, 20, 0, 100)) == Ids{17});
  using Chats = std::vector<std::optional<std::int64_t>>;
  CHECK(inbox.chats_with_pending(bot) == Chats{10, 20});

  // Handling one of them by its seq leaves the other.
  inbox.mark_handled(bot, chat_10[0].seq);
  CHECK(inbox.pending(bot, 10, 0, 100).at(0).seq == chat_10[1].seq);

  // The next batch continues from the new ids.
  const auto next = inbox.append(bot, {update(1001, 20)});
  CHECK(ids(next.stored) == Ids{1001});
  CHECK_FALSE(next.ids_restarted_below);
  CHECK(inbox.next_offset(bot) == 1002);
}

TEST_CASE_METHOD(Fixture, "each chat gets its own updates in order, paged by the last one seen") {
  inbox.append(bot, {update(1, 10), update(2, 20), update(3, 10), update(4, std::nullopt),
                     update(5, 10), update(6, 20)});

  CHECK(ids(inbox.pending(bot, 10, 0, 100)) == Ids{1, 3, 5});
  CHECK(ids(inbox.pending(bot, 20, 0, 100)) == Ids{2, 6});
  CHECK(ids(inbox.pending(bot, std::nullopt, 0, 100)) == Ids{4});
  CHECK(ids(inbox.pending(bot, 10, 0, 2)) == Ids{1, 3});
  CHECK(ids(inbox.pending(bot, 10, 3, 100)) == Ids{5});
  CHECK(inbox.pending(bot, 30, 0, 100).empty());
  auto chatless = inbox.pending(bot, std::nullopt, 0, 1);
  REQUIRE(chatless.size() == 1);
  CHECK_FALSE(chatless[0].chat_id);
  CHECK(inbox.pending(bot, 10, 0, 1)[0].chat_id == std::optional<std::int64_t>(10));
}

TEST_CASE_METHOD(Fixture, "chats with pending updates are listed longest-waiting first") {
  inbox.append(bot, {update(1, 30), update(2, std::nullopt), update(3, 10), update(4, 30)});
  using Chats = std::vector<std::optional<std::int64_t>>;
  CHECK(inbox.chats_with_pending(bot) == Chats{30, std::nullopt, 10});

  inbox.mark_handled(bot, 1);
  CHECK(inbox.chats_with_pending(bot) == Chats{std::nullopt, 10, 30});
  inbox.mark_handled(bot, 2);
  inbox.mark_handled(bot, 3);
  inbox.mark_handled(bot, 4);
  CHECK(inbox.chats_with_pending(bot).empty());
  CHECK(inbox.pending_count(bot) == 0);
}

TEST_CASE_METHOD(Fixture, "one bot's inbox is separate from another's") {
  const auto other = BotRepository(db).add(new_bot(token(222)));
  inbox.append(bot, {update(100, 10)});
  CHECK(ids(inbox.append(other, {update(1, 10)}).stored) == Ids{1});
  CHECK(inbox.next_offset(other) == 2);
  CHECK(inbox.pending_count(bot) == 1);
  CHECK(inbox.pending_count(other) == 1);
}

TEST_CASE_METHOD(Fixture, "an update that cannot be handled moves to the dead letters") {
  inbox.append(bot, {update(1, 10), update(2, 10)});
  inbox.dead_letter(bot, 1, "behaviour threw: bad input");

  CHECK(inbox.dead_letter_count(bot) == 1);
  CHECK(ids(inbox.pending(bot, 10, 0, 100)) == Ids{2});
  auto row = db.prepare("SELECT update_id, chat_id, payload, reason FROM dead_letters");
  REQUIRE(row.step());
  CHECK(row.column_int64(0) == 1);
  CHECK(row.column_int64(1) == 10);
  CHECK(row.column_text(2) == "{\"update_id\":1}");
  CHECK(row.column_text(3) == "behaviour threw: bad input");

  inbox.dead_letter(bot, 42, "not in the inbox");
  CHECK(inbox.dead_letter_count(bot) == 1);
}

TEST_CASE_METHOD(Fixture, "a bot keeps only its newest dead letters") {
  std::vector<InboxUpdate> batch;
  const auto total = static_cast<std::int64_t>(hangar::bounds::dead_letters_per_bot) + 5;
  for (std::int64_t id = 1; id <= total; ++id) batch.push_back(update(id, 10));
  Transaction transaction(db);
  inbox.append(bot, batch);
  for (std::int64_t id = 1; id <= total; ++id) inbox.dead_letter(bot, id, "bad");
  transaction.commit();

  CHECK(inbox.dead_letter_count(bot) == hangar::bounds::dead_letters_per_bot);
  auto oldest = db.prepare("SELECT min(update_id) FROM dead_letters");
  REQUIRE(oldest.step());
  CHECK(oldest.column_int64(0) == 6);
}

TEST_CASE_METHOD(Fixture, "updates for a bot that does not exist are refused") {
  CHECK_THROWS_WITH(inbox.append(999, {update(1, 10)}), "bot 999 does not exist");
  CHECK(inbox.next_offset(999) == 0);
}

TEST_CASE_METHOD(Fixture,
                 "an append inside a rolled-back transaction leaves neither updates nor offset") {
  {
    Transaction transaction(db);
    inbox.append(bot, {update(1, 10)});
  }
  CHECK(inbox.pending_count(bot) == 0);
  CHECK(inbox.next_offset(bot) == 0);
}
