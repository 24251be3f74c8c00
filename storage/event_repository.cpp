#include "storage/event_repository.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace hangar::storage {
namespace {

constexpr std::int64_t max_page = 1000;

// The columns list() reads, in its order; each filter's statement below adds its WHERE.
const std::string select_events =
    "SELECT id, at_ms, bot_id, chat_id, kind, reason, live_bytes, budget, detail, "
    "crossed_at_ms, stopped_at_ms FROM events ";

// One statement per filter combination, each with an index that serves it, rather than one
// statement with "?x IS NULL OR" conditions that no index can serve. (Static strings: the
// statement cache keys on their addresses.)
const std::string list_sql[2][2] = {
    {
        select_events + "WHERE id < ?3 ORDER BY id DESC LIMIT ?4",
        select_events + "WHERE kind = ?2 AND id < ?3 ORDER BY id DESC LIMIT ?4",
    },
    {
        select_events + "WHERE bot_id = ?1 AND id < ?3 ORDER BY id DESC LIMIT ?4",
        // A bot holds at most keep_per_bot events, so filtering its range by kind is bounded.
        select_events + "INDEXED BY events_by_bot WHERE bot_id = ?1 AND kind = ?2 AND id < ?3 "
                        "ORDER BY id DESC LIMIT ?4",
    },
};

}  // namespace

std::int64_t EventRepository::append(const Event& event) {
  Transaction transaction(db_);
  // An event about a bot removed a moment ago went with the bot (see the header).
  db_.prepare(
         "INSERT INTO events (at_ms, bot_id, chat_id, kind, reason, live_bytes, budget, detail, "
         "crossed_at_ms, stopped_at_ms) "
         "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 "
         "WHERE ?2 IS NULL OR EXISTS (SELECT 1 FROM bots WHERE id = ?2)")
      .bind(1, event.at_ms)
      .bind(2, event.bot_id)
      .bind(3, event.chat_id)
      .bind(4, to_string(event.kind))
      .bind(5, event.reason)
      .bind(6, event.live_bytes)
      .bind(7, event.budget)
      .bind(8, event.detail)
      .bind(9, event.crossed_at_ms)
      .bind(10, event.stopped_at_ms)
      .run();
  if (db_.changes() == 0) return 0;
  const std::int64_t id = db_.last_insert_id();
  // Cutting at the id keep_per_bot back walks the (bot_id, id) index once, without counting.
  const auto keep = static_cast<std::int64_t>(
      std::clamp<std::size_t>(keep_per_bot_, 1, std::numeric_limits<std::int64_t>::max()));
  db_.prepare(
         "DELETE FROM events WHERE bot_id IS ?1 AND id <= (SELECT id FROM events "
         "WHERE bot_id IS ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)")
      .bind(1, event.bot_id)
      .bind(2, keep)
      .run();
  transaction.commit();
  return id;
}

std::vector<Event> EventRepository::list(const EventFilter& filter) {
  auto row = db_.prepare(list_sql[filter.bot_id.has_value()][filter.kind.has_value()].c_str());
  if (filter.bot_id) row.bind(1, *filter.bot_id);
  if (filter.kind) row.bind(2, to_string(*filter.kind));
  row.bind(3, filter.before_id.value_or(std::numeric_limits<std::int64_t>::max()));
  row.bind(4, std::clamp<std::int64_t>(
                  static_cast<std::int64_t>(std::min<std::size_t>(filter.limit, max_page)), 1,
                  max_page));
  std::vector<Event> events;
  while (row.step()) {
    Event& event = events.emplace_back();
    event.id = row.column_int64(0);
    event.at_ms = row.column_int64(1);
    event.bot_id = row.column_optional_int64(2);
    event.chat_id = row.column_optional_int64(3);
    const auto kind = event_kind_from(row.column_text(4));
    if (!kind) throw StorageError("event " + std::to_string(event.id) + " has an unknown kind");
    event.kind = *kind;
    event.reason = row.column_text(5);
    event.live_bytes = row.column_optional_int64(6);
    event.budget = row.column_optional_int64(7);
    event.detail = row.column_text(8);
    event.crossed_at_ms = row.column_optional_int64(9);
    event.stopped_at_ms = row.column_optional_int64(10);
  }
  return events;
}

}  // namespace hangar::storage
