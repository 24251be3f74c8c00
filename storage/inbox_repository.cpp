#include "storage/inbox_repository.hpp"

#include <algorithm>
#include <limits>

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

std::vector<InboxUpdate> InboxRepository::append(std::int64_t bot_id,
                                                 const std::vector<InboxUpdate>& batch) {
  // A savepoint when the caller holds a transaction, as it should: then the batch and the
  // offset commit together with whatever else the caller does.
  Transaction transaction(db_);
  std::int64_t offset = 0;
  {
    auto row = db_.prepare(
        "SELECT coalesce((SELECT next_offset FROM bot_runtime WHERE bot_id = ?1), 0) "
        "FROM bots WHERE id = ?1");
    if (!row.bind(1, bot_id).step())
      throw StorageError("bot " + std::to_string(bot_id) + " does not exist");
    offset = row.column_int64(0);
  }
  std::vector<InboxUpdate> stored;
  stored.reserve(batch.size());
  std::int64_t next = offset;
  const std::int64_t now = now_ms();
  for (const InboxUpdate& update : batch) {
    next = std::max(next, update.update_id + 1);
    if (update.update_id < offset) continue;  // seen in an earlier batch
    db_.prepare(
           "INSERT INTO inbox (bot_id, update_id, chat_id, payload, received_at) "
           "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING")
        .bind(1, bot_id)
        .bind(2, update.update_id)
        .bind(3, update.chat_id)
        .bind(4, update.payload)
        .bind(5, now)
        .run();
    if (db_.changes() > 0) stored.push_back(update);
  }
  if (next != offset) {
    db_.prepare(
           "INSERT INTO bot_runtime (bot_id, next_offset) VALUES (?1, ?2) "
           "ON CONFLICT (bot_id) DO UPDATE SET next_offset = max(next_offset, "
           "excluded.next_offset)")
        .bind(1, bot_id)
        .bind(2, next)
        .run();
  }
  transaction.commit();
  return stored;
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
      "SELECT update_id, payload FROM inbox INDEXED BY inbox_by_chat "
      "WHERE bot_id = ?1 AND chat_id IS ?2 AND update_id > ?3 ORDER BY update_id LIMIT ?4");
  row.bind(1, bot_id).bind(2, chat_id).bind(3, after).bind(4, sql_limit(limit));
  std::vector<InboxUpdate> updates;
  while (row.step()) updates.push_back({row.column_int64(0), chat_id, row.column_text(1)});
  return updates;
}

std::vector<std::optional<std::int64_t>> InboxRepository::chats_with_pending(std::int64_t bot_id) {
  // Longest-waiting chats first, so a restarted bot serves its oldest backlog first.
  auto row = db_.prepare(
      "SELECT chat_id FROM inbox WHERE bot_id = ?1 GROUP BY chat_id ORDER BY min(update_id)");
  row.bind(1, bot_id);
  std::vector<std::optional<std::int64_t>> chats;
  while (row.step()) chats.push_back(row.column_optional_int64(0));
  return chats;
}

std::size_t InboxRepository::pending_count(std::int64_t bot_id) {
  return count(db_, "SELECT count(*) FROM inbox WHERE bot_id = ?1", bot_id);
}

void InboxRepository::mark_handled(std::int64_t bot_id, std::int64_t update_id) {
  db_.prepare("DELETE FROM inbox WHERE bot_id = ?1 AND update_id = ?2")
      .bind(1, bot_id)
      .bind(2, update_id)
      .run();
}

void InboxRepository::dead_letter(std::int64_t bot_id, std::int64_t update_id,
                                  const std::string& reason) {
  Transaction transaction(db_);
  db_.prepare(
         "INSERT INTO dead_letters (bot_id, update_id, chat_id, payload, reason, at) "
         "SELECT bot_id, update_id, chat_id, payload, ?3, ?4 FROM inbox "
         "WHERE bot_id = ?1 AND update_id = ?2")
      .bind(1, bot_id)
      .bind(2, update_id)
      .bind(3, reason)
      .bind(4, now_ms())
      .run();
  mark_handled(bot_id, update_id);
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
