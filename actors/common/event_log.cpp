#include "actors/common/event_log.hpp"

#include "platform/core/units.hpp"
#include "platform/core/wall_clock.hpp"

namespace hangar::actors {

storage::Event make_event(std::int64_t bot_id, std::optional<std::int64_t> chat_id,
                          storage::EventKind kind, std::string reason, std::string detail) {
  storage::Event event;
  event.at_ms = now_ms();
  event.bot_id = bot_id;
  event.chat_id = chat_id;
  event.kind = kind;
  event.reason = std::move(reason);
  event.detail = std::move(detail);
  return event;
}

void add_budget_stop(storage::Event& event, std::uint64_t live_bytes, std::uint64_t budget,
                     std::chrono::steady_clock::time_point crossed,
                     std::chrono::steady_clock::time_point stopped) {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  event.live_bytes = static_cast<std::int64_t>(live_bytes);
  event.budget = static_cast<std::int64_t>(budget);
  event.crossed_at_ms = ms_at(crossed);
  event.stopped_at_ms = ms_at(stopped);
  const auto gap_us = duration_cast<microseconds>(stopped - crossed).count();
  if (!event.detail.empty()) event.detail += "; ";
  event.detail += "held " + format_size(live_bytes) + " of a " + format_size(budget) +
                  " budget; stopped " + std::to_string(gap_us / 1000) + "." +
                  std::to_string(gap_us % 1000 / 100) + " ms after crossing it";
}

void record_event(const Services& services, storage::Event event) {
  const Settings& settings = services.settings;
  services.storage.post([&settings, event = std::move(event)](storage::Database& db) {
    append_event(db, settings, event);
    return storage::JobQueue::Completion();
  });
}

void append_event(storage::Database& db, const Settings& settings, const storage::Event& event) {
  storage::EventRepository(db, settings.events_per_bot).append(event);
}

}  // namespace hangar::actors
