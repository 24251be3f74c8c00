#pragma once
// The event log: restarts, backoffs, quarantines, dead letters, budget crossings. Bounded to
// the newest `keep_per_bot` events of each bot.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/core/bounds.hpp"
#include "storage/database.hpp"
#include "storage/event_kind.hpp"

namespace hangar::storage {

struct Event {
  std::int64_t id = 0;     // assigned on append
  std::int64_t at_ms = 0;  // since the epoch, UTC
  std::optional<std::int64_t> bot_id;
  std::optional<std::int64_t> chat_id;
  EventKind kind = EventKind::restart;
  std::string reason;  // "budget", "crash", "config", ...
  std::optional<std::int64_t> live_bytes;
  std::optional<std::int64_t> budget;
  std::string detail;
  // Budget events: when the actor's bytes passed its budget, and when it was stopped (ms since
  // the epoch, UTC).
  std::optional<std::int64_t> crossed_at_ms;
  std::optional<std::int64_t> stopped_at_ms;
};

struct EventFilter {
  std::optional<std::int64_t> bot_id;
  std::optional<EventKind> kind;
  std::optional<std::int64_t> before_id;  // paging cursor: events with id < before_id
  std::size_t limit = 100;
};

class EventRepository {
 public:
  explicit EventRepository(Database& db, std::size_t keep_per_bot = bounds::events_per_bot)
      : db_(db), keep_per_bot_(keep_per_bot) {}
  // Prunes the bot's oldest beyond the bound (process-wide events, bot_id nullopt, count as
  // one more bot; a bound of 0 keeps 1). Returns 0, storing nothing, when the bot was removed.
  std::int64_t append(const Event& event);
  // Newest first; filter.limit is clamped to [1, 1000].
  std::vector<Event> list(const EventFilter& filter);

 private:
  Database& db_;
  std::size_t keep_per_bot_;
};

}  // namespace hangar::storage
