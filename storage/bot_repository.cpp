#include "storage/bot_repository.hpp"

#include <string_view>

#include "platform/core/wall_clock.hpp"
#include "storage/event_repository.hpp"

namespace hangar::storage {
namespace {

constexpr const char* select_bot =
    "SELECT id, name, token, behavior, api_url, memory_budget, enabled, quarantined, unauthorized, "
    "revision, proxy FROM bots ";

BotConfig read_bot(const Statement& row) {
  BotConfig bot;
  bot.id = row.column_int64(0);
  bot.name = row.column_text(1);
  bot.token = row.column_text(2);
  bot.behavior = row.column_text(3);
  bot.api_url = row.column_optional_text(4);
  if (auto budget = row.column_optional_int64(5)) bot.memory_budget = *budget;
  bot.enabled = row.column_int64(6) != 0;
  bot.quarantined = row.column_int64(7) != 0;
  bot.unauthorized = row.column_optional_text(8);
  bot.revision = row.column_int64(9);
  bot.proxy = row.column_optional_text(10);
  return bot;
}

std::optional<std::int64_t> to_optional(const std::optional<std::uint64_t>& value) {
  if (!value) return std::nullopt;
  return static_cast<std::int64_t>(*value);
}

// Checked before writing, inside the write transaction, so the error names the clash instead
// of SQLite's "UNIQUE constraint failed". The token itself never appears in a message.
void check_clashes(Database& db, std::int64_t id, const std::optional<std::string>& name,
                   const std::optional<std::string>& token) {
  if (name) {
    if (name->empty()) throw StorageError("a bot's name cannot be empty");
    auto found = db.prepare("SELECT id FROM bots WHERE name = ?1 AND id != ?2");
    if (found.bind(1, *name).bind(2, id).step())
      throw StorageError("a bot named " + *name + " already exists");
  }
  if (token) {
    auto found = db.prepare("SELECT id FROM bots WHERE token = ?1 AND id != ?2");
    if (found.bind(1, *token).bind(2, id).step())
      throw StorageError("a bot with this token already exists (id " +
                         std::to_string(found.column_int64(0)) + ")");
  }
}

// The part before ':' is the Bot API's id of the bot the token belongs to.
std::string_view token_owner(std::string_view token) {
  return token.substr(0, token.find(':'));
}

}  // namespace

std::int64_t BotRepository::add(const NewBot& bot) {
  Transaction transaction(db_);
  check_clashes(db_, 0, bot.name, bot.token);
  const std::int64_t now = now_ms();
  // An empty name is never valid (check_clashes refuses one), so it can stand in for
  // "bot<id>" until the id is known, within this transaction.
  db_.prepare(
         "INSERT INTO bots (name, token, behavior, api_url, memory_budget, created_at, "
         "updated_at, proxy) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)")
      .bind(1, bot.name.value_or(""))
      .bind(2, bot.token)
      .bind(3, bot.behavior)
      .bind(4, bot.api_url)
      .bind(5, to_optional(bot.memory_budget))
      .bind(6, now)
      .bind(7, bot.proxy)
      .run();
  const std::int64_t id = db_.last_insert_id();
  if (!bot.name) {
    const std::string name = "bot" + std::to_string(id);
    check_clashes(db_, id, name, std::nullopt);
    db_.prepare("UPDATE bots SET name = ?1 WHERE id = ?2").bind(1, name).bind(2, id).run();
  }
  transaction.commit();
  return id;
}

bool BotRepository::update(std::int64_t id, const BotChanges& changes) {
  Transaction transaction(db_);
  auto current = find(id);
  if (!current) return false;
  check_clashes(db_, id, changes.name, changes.token);
  // One statement, so one change fires the trigger once and bumps config_version once.
  db_.prepare(
         "UPDATE bots SET name = coalesce(?1, name), token = coalesce(?2, token), "
         "behavior = coalesce(?3, behavior), "
         "api_url = CASE WHEN ?4 IS NULL THEN api_url ELSE nullif(?4, '') END, "
         "memory_budget = CASE WHEN ?5 IS NULL THEN memory_budget ELSE nullif(?5, 0) END, "
         "unauthorized = CASE WHEN ?2 IS NULL THEN unauthorized END, "
         "proxy = CASE WHEN ?8 IS NULL THEN proxy ELSE nullif(?8, '') END, "
         "revision = revision + 1, updated_at = ?6 WHERE id = ?7")
      .bind(1, changes.name)
      .bind(2, changes.token)
      .bind(3, changes.behavior)
      .bind(4, changes.api_url)
      .bind(5, to_optional(changes.memory_budget))
      .bind(6, now_ms())
      .bind(7, id)
      .bind(8, changes.proxy)
      .run();
  // Another bot's update ids are unrelated to this one's: polling with the stored offset would
  // confirm, and so drop, the new bot's updates below it, and the old bot's pending updates
  // cannot be answered any more. The inbox sequence goes on, so arrival order stays monotonic.
  if (changes.token && token_owner(*changes.token) != token_owner(current->token)) {
    db_.prepare("UPDATE bot_runtime SET next_offset = 0, username = '' WHERE bot_id = ?1")
        .bind(1, id)
        .run();
    db_.prepare("DELETE FROM inbox WHERE bot_id = ?1").bind(1, id).run();
  }
  transaction.commit();
  return true;
}

bool BotRepository::remove(std::int64_t id) {
  // The foreign keys cascade to the bot's runtime, inbox, dead letters, chat state and events.
  db_.prepare("DELETE FROM bots WHERE id = ?1").bind(1, id).run();
  return db_.changes() > 0;
}

bool BotRepository::set_enabled(std::int64_t id, bool enabled) {
  Transaction transaction(db_);
  const auto before = find(id);
  if (!before) return false;
  db_.prepare(
         "UPDATE bots SET enabled = ?1, quarantined = CASE WHEN ?1 THEN 0 ELSE quarantined END, "
         "unauthorized = CASE WHEN ?1 THEN NULL ELSE unauthorized END, "
         "revision = revision + 1, updated_at = ?2 WHERE id = ?3")
      .bind(1, std::int64_t{enabled})
      .bind(2, now_ms())
      .bind(3, id)
      .run();
  const auto lift = [&](const char* what) {
    Event event;
    event.at_ms = now_ms();
    event.bot_id = id;
    event.kind = EventKind::lift;
    event.reason = "enable";
    event.detail = std::string(what) + " lifted by enabling the bot";
    EventRepository(db_).append(event);
  };
  if (enabled && before->quarantined) lift("quarantine");
  if (enabled && before->unauthorized) lift("unauthorized state");
  transaction.commit();
  return true;
}

bool BotRepository::set_quarantined(std::int64_t id, bool quarantined) {
  db_.prepare(
         "UPDATE bots SET quarantined = ?1, revision = revision + 1, updated_at = ?2 WHERE id = ?3")
      .bind(1, std::int64_t{quarantined})
      .bind(2, now_ms())
      .bind(3, id)
      .run();
  return db_.changes() > 0;
}

bool BotRepository::set_unauthorized(std::int64_t id, std::int64_t revision,
                                     const std::string& why) {
  db_.prepare(
         "UPDATE bots SET unauthorized = ?1, revision = revision + 1, updated_at = ?2 "
         "WHERE id = ?3 AND revision = ?4")
      .bind(1, why)
      .bind(2, now_ms())
      .bind(3, id)
      .bind(4, revision)
      .run();
  return db_.changes() > 0;
}

std::optional<BotConfig> BotRepository::find(std::int64_t id) {
  static const std::string sql = std::string(select_bot) + "WHERE id = ?1";
  auto row = db_.prepare(sql.c_str());
  if (!row.bind(1, id).step()) return std::nullopt;
  return read_bot(row);
}

std::optional<BotConfig> BotRepository::find(const std::string& id_or_name) {
  const bool decimal = !id_or_name.empty() && id_or_name.size() <= 18 &&
                       id_or_name.find_first_not_of("0123456789") == std::string::npos;
  if (decimal) {
    if (auto bot = find(std::stoll(id_or_name))) return bot;
  }
  static const std::string sql = std::string(select_bot) + "WHERE name = ?1";
  auto row = db_.prepare(sql.c_str());
  if (!row.bind(1, id_or_name).step()) return std::nullopt;
  return read_bot(row);
}

std::vector<BotConfig> BotRepository::list() {
  static const std::string sql = std::string(select_bot) + "ORDER BY id";
  std::vector<BotConfig> bots;
  auto row = db_.prepare(sql.c_str());
  while (row.step()) bots.push_back(read_bot(row));
  return bots;
}

std::int64_t BotRepository::config_version() {
  auto row = db_.prepare("SELECT value FROM meta WHERE key = 'config_version'");
  return row.step() ? row.column_int64(0) : 0;
}

}  // namespace hangar::storage
