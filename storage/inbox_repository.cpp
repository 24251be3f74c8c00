#include "storage/inbox_repository.hpp"

#include <algorithm>
#include <limits>
#include <unordered_set>

#include "platform/core/wall_clock.hpp"

namespace hangar::storage {
namespace {

std::int64_t sql_limit(std::size_t limit) {
  return static_cast<std::int64_t>(
      std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
}

std::size_t count(Database& db, const char* sql, std::int64_t bot_id) {
  auto row = db.prepare(sql);
  row.bind(1, bot_id).step();
  return static_cast<std::size_t>(row.column_int64(0));
}

}  // namespace

Appended InboxRepository::append(std::int64_t bot_id, const std::vector<InboxUpdate>& batch,
                                 std::optional<std::int64_t> polled_offset) {
  // A savepoint when the caller holds a transaction, as it should: then the batch and the
  // offset commit together with whatever else the caller does.
  Transaction transaction(db_);
  std::int64_t offset = 0;
  std::int64_t seq = 0;
  {
    auto row = db_.prepare(
        "SELECT coalesce(r.next_offset, 0), coalesce(r.inbox_seq, 0) FROM bots b "
        "LEFT JOIN bot_runtime r ON r.bot_id = b.id WHERE b.id = ?1");
    if (!row.bind(1, bot_id).step())
      throw StorageError("bot " + std::to_string(bot_id) + " does not exist");
    offset = row.column_int64(0);
    seq = row.column_int64(1);
  }
  const std::int64_t polled = polled_offset.value_or(offset);
  Appended result;
  std::unordered_set<std::int64_t> in_batch;
  std::int64_t newest = std::numeric_limits<std::int64_t>::min();  // seen ones count too
  const std::int64_t now = now_ms();
  for (const InboxUpdate& update : batch) {
    newest = std::max(newest, update.update_id);
    if (update.update_id < polled) result.ids_restarted_below = polled;
    const bool seen = update.update_id >= polled && update.update_id < offset;
    if (seen || !in_batch.insert(update.update_id).second) continue;
    InboxUpdate row = update;
    row.seq = ++seq;
    db_.prepare(
           "INSERT INTO inbox (bot_id, seq, update_id, chat_id, payload, received_at) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(1, bot_id)
        .bind(2, row.seq)
        .bind(3, row.update_id)
        .bind(4, row.chat_id)
        .bind(5, row.payload)
        .bind(6, now)
        .run();
    result.stored.push_back(std::move(row));
  }
  // After a restart the offset follows the new ids down; otherwise it never moves back.
  result.next_offset = batch.empty()                ? offset
                       : result.ids_restarted_below ? newest + 1
                                                    : std::max(offset, newest + 1);
  if (result.next_offset != offset || !result.stored.empty()) {
    db_.prepare(
           "INSERT INTO bot_runtime (bot_id, next_offset, inbox_seq) VALUES (?1, ?2, ?3) "
           "ON CONFLICT (bot_id) DO UPDATE SET next_offset = excluded.next_offset, "
           "inbox_seq = excluded.inbox_seq")
        .bind(1, bot_id)
        .bind(2, result.next_offset)
        .bind(3, seq)
        .run();
  }
  transaction.commit();
  return result;
}

std::int64_t InboxRepository::next_offset(std::int64_t bot_id) {
  auto row = db_.prepare("SELECT next_offset FROM bot_runtime WHERE bot_id = ?1");
  return row.bind(1, bot_id).step() ? row.column_int64(0) : 0;
}

std::vector<InboxUpdate> InboxRepository::pending(std::int64_t bot_id,
                                                  std::optional<std::int64_t> chat_id,
                                                  std::int64_t after, std::size_t limit) {
  // `IS` matches NULL to NULL. Without statistics the planner would walk the primary key
  // past every other chat's updates, so the chat index is named.
  auto row = db_.prepare(
      "SELECT update_id, payload, seq FROM inbox INDEXED BY inbox_by_chat "
      "WHERE bot_id = ?1 AND chat_id IS ?2 AND seq > ?3 ORDER BY seq LIMIT ?4");
  row.bind(1, bot_id).bind(2, chat_id).bind(3, after).bind(4, sql_limit(limit));
  std::vector<InboxUpdate> updates;
  while (row.step())
    updates.push_back({row.column_int64(0), chat_id, row.column_text(1), row.column_int64(2)});
  return updates;
}

std::vector<std::optional<std::int64_t>> InboxRepository::chats_with_pending(std::int64_t bot_id) {
  // Longest-waiting chats first, so a restarted bot serves its oldest backlog first.
  auto row =
      db_.prepare("SELECT chat_id FROM inbox WHERE bot_id = ?1 GROUP BY chat_id ORDER BY min(seq)");
  row.bind(1, bot_id);
  std::vector<std::optional<std::int64_t>> chats;
  while (row.step()) chats.push_back(row.column_optional_int64(0));
  return chats;
}

std::size_t InboxRepository::pending_count(std::int64_t bot_id) {
  return count(db_, "SELECT count(*) FROM inbox WHERE bot_id = ?1", bot_id);
}

void InboxRepository::mark_handled(std::int64_t bot_id, std::int64_t seq) {
  db_.prepare("DELETE FROM inbox WHERE bot_id = ?1 AND seq = ?2")
      .bind(1, bot_id)
      .bind(2, seq)
      .run();
}

void InboxRepository::dead_letter(std::int64_t bot_id, std::int64_t seq,
                                  const std::string& reason) {
  Transaction transaction(db_);
  db_.prepare(
         "INSERT INTO dead_letters (bot_id, update_id, chat_id, payload, reason, at) "
         "SELECT bot_id, update_id, chat_id, payload, ?3, ?4 FROM inbox "
         "WHERE bot_id = ?1 AND seq = ?2")
      .bind(1, bot_id)
      .bind(2, seq)
      .bind(3, reason)
      .bind(4, now_ms())
      .run();
  mark_handled(bot_id, seq);
  db_.prepare(
         "DELETE FROM dead_letters WHERE bot_id = ?1 AND id <= (SELECT id FROM dead_letters "
         "WHERE bot_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)")
      .bind(1, bot_id)
      .bind(2, static_cast<std::int64_t>(bounds::dead_letters_per_bot))
      .run();
  transaction.commit();
}

std::size_t InboxRepository::dead_letter_count(std::int64_t bot_id) {
  return count(db_, "SELECT count(*) FROM dead_letters WHERE bot_id = ?1", bot_id);
}

}  // namespace hangar::storage
