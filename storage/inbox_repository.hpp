#pragma once
// Each bot's durable inbox: updates committed before their offset is confirmed to the Bot API,
// removed once handled. Rows are kept in arrival order by the inbox's own sequence number, not
// by update_id: Telegram restarts a bot's update ids (at a random, often lower, value) after a
// week without updates, and the inbox must still hand each chat its updates in order.
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
  std::int64_t seq = 0;                 // arrival order within the bot; set by append()
};

struct Appended {
  std::vector<InboxUpdate> stored;  // the updates not seen before, with their seq
  std::int64_t next_offset = 0;     // the bot's offset after the batch
  // Set when the batch held update ids below the offset it was polled with: the Bot API
  // restarted its ids. Holds the offset they restarted below.
  std::optional<std::int64_t> ids_restarted_below;
};

class InboxRepository {
 public:
  explicit InboxRepository(Database& db) : db_(db) {}

  // Stores the updates of a getUpdates answer polled with `polled_offset` (nullopt: the stored
  // offset) and moves the bot's offset past the largest update_id. The Bot API never returns an
  // id below the offset it was asked with unless its ids restarted, so such ids are new and the
  // offset may go down; ids from the polled offset up to the stored one were seen before (a
  // stale poll). Call inside a transaction (it opens its own when there is none). Throws
  // StorageError when the bot does not exist (any more).
  Appended append(std::int64_t bot_id, const std::vector<InboxUpdate>& batch,
                  std::optional<std::int64_t> polled_offset = std::nullopt);
  std::int64_t next_offset(std::int64_t bot_id);  // 0 when the bot has never received anything

  // The oldest unhandled updates of one chat (chat_id nullopt: the chatless ones) with
  // seq > after, in arrival order.
  std::vector<InboxUpdate> pending(std::int64_t bot_id, std::optional<std::int64_t> chat_id,
                                   std::int64_t after, std::size_t limit);
  // Chats that have unhandled updates; chatless updates show as nullopt.
  std::vector<std::optional<std::int64_t>> chats_with_pending(std::int64_t bot_id);
  std::size_t pending_count(std::int64_t bot_id);

  void mark_handled(std::int64_t bot_id, std::int64_t seq);
  // Moves the update to the dead-letter table with the reason (nothing when it is not in the
  // inbox), keeping the bot's newest bounds::dead_letters_per_bot.
  void dead_letter(std::int64_t bot_id, std::int64_t seq, const std::string& reason);
  std::size_t dead_letter_count(std::int64_t bot_id);

 private:
  Database& db_;
};

}  // namespace hangar::storage
