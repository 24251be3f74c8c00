#include "storage/bot_runtime_repository.hpp"

namespace hangar::storage {
namespace {

// The supervisor may record a restart or a count just after the CLI removed the bot; that
// figure went with the bot, so the write does nothing rather than fail on the foreign key.
template <typename Value>
void upsert(Database& db, const char* sql, std::int64_t bot_id, const Value& value) {
  db.prepare(sql).bind(1, bot_id).bind(2, value).run();
}

}  // namespace

BotRuntime BotRuntimeRepository::load(std::int64_t bot_id) {
  auto row =
      db_.prepare("SELECT username, restarts, updates_handled FROM bot_runtime WHERE bot_id = ?1");
  BotRuntime runtime;
  if (row.bind(1, bot_id).step()) {
    runtime.username = row.column_text(0);
    runtime.restarts = static_cast<std::uint64_t>(row.column_int64(1));
    runtime.updates_handled = static_cast<std::uint64_t>(row.column_int64(2));
  }
  return runtime;
}

void BotRuntimeRepository::set_username(std::int64_t bot_id, const std::string& username) {
  upsert(db_,
         "INSERT INTO bot_runtime (bot_id, username) SELECT ?1, ?2 "
         "WHERE EXISTS (SELECT 1 FROM bots WHERE id = ?1) "
         "ON CONFLICT (bot_id) DO UPDATE SET username = excluded.username",
         bot_id, username);
}

void BotRuntimeRepository::add_restart(std::int64_t bot_id) {
  upsert(db_,
         "INSERT INTO bot_runtime (bot_id, restarts) SELECT ?1, ?2 "
         "WHERE EXISTS (SELECT 1 FROM bots WHERE id = ?1) "
         "ON CONFLICT (bot_id) DO UPDATE SET restarts = restarts + excluded.restarts",
         bot_id, std::int64_t{1});
}

void BotRuntimeRepository::add_handled(std::int64_t bot_id, std::uint64_t count) {
  upsert(db_,
         "INSERT INTO bot_runtime (bot_id, updates_handled) SELECT ?1, ?2 "
         "WHERE EXISTS (SELECT 1 FROM bots WHERE id = ?1) "
         "ON CONFLICT (bot_id) DO UPDATE SET updates_handled = updates_handled + "
         "excluded.updates_handled",
         bot_id, static_cast<std::int64_t>(count));
}

}  // namespace hangar::storage
