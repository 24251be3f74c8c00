#pragma once
// Each bot's durable inbox: updates committed before their offset is confirmed to the Bot API,
// removed once handled. Duplicates are dropped by update_id: an update below the bot's stored
// next offset has been seen before.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/core/bounds.hpp"
#include "storage/database.hpp"

namespace hangar::storage {

struct InboxUpdate {
  std::int64_t update_id = 0;
  std::optional<std::int64_t> chat_id;  // nullopt: belongs to no chat, goes to the bot itself
  std::string payload;                  // the update's JSON as received
};

class InboxRepository {
 public:
  explicit InboxRepository(Database& db) : db_(db) {}

  // Stores the updates not seen before and advances the bot's next offset past the largest
  // update_id. Call inside a transaction (it opens its own when there is none). Returns the
  // updates that were stored. Throws StorageError when the bot does not exist (any more).
  std::vector<InboxUpdate> append(std::int64_t bot_id, const std::vector<InboxUpdate>& batch);
  std::int64_t next_offset(std::int64_t bot_id);  // 0 when the bot has never received anything

  // The oldest unhandled updates of one chat (chat_id nullopt: the chatless ones) with
  // update_id > after, in update_id order.
  std::vector<InboxUpdate> pending(std::int64_t bot_id, std::optional<std::int64_t> chat_id,
                                   std::int64_t after, std::size_t limit);
  // Chats that have unhandled updates; chatless updates show as nullopt.
  std::vector<std::optional<std::int64_t>> chats_with_pending(std::int64_t bot_id);
  std::size_t pending_count(std::int64_t bot_id);

  void mark_handled(std::int64_t bot_id, std::int64_t update_id);
  // Moves the update to the dead-letter table with the reason (nothing when it is not in the
  // inbox), keeping the bot's newest bounds::dead_letters_per_bot.
  void dead_letter(std::int64_t bot_id, std::int64_t update_id, const std::string& reason);
  std::size_t dead_letter_count(std::int64_t bot_id);

 private:
  Database& db_;
};

}  // namespace hangar::storage
