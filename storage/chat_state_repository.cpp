#include "storage/chat_state_repository.hpp"

#include "platform/core/wall_clock.hpp"

namespace hangar::storage {

std::optional<std::string> ChatStateRepository::load(std::int64_t bot_id, std::int64_t chat_id) {
  auto row = db_.prepare("SELECT state FROM chat_state WHERE bot_id = ?1 AND chat_id = ?2");
  if (!row.bind(1, bot_id).bind(2, chat_id).step()) return std::nullopt;
  return row.column_text(0);
}

void ChatStateRepository::save(std::int64_t bot_id, std::int64_t chat_id,
                               const std::string& state) {
  db_.prepare(
         "INSERT INTO chat_state (bot_id, chat_id, state, updated_at) VALUES (?1, ?2, ?3, ?4) "
         "ON CONFLICT (bot_id, chat_id) DO UPDATE SET state = excluded.state, "
         "updated_at = excluded.updated_at")
      .bind(1, bot_id)
      .bind(2, chat_id)
      .bind(3, state)
      .bind(4, now_ms())
      .run();
}

}  // namespace hangar::storage
