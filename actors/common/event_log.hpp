#pragma once
// The actors' side of the event log that /api/events shows: restarts, budget stops, backoffs,
// quarantines, lifts, dead letters and the memory guard's evictions. Appends run on the storage
// worker and keep the newest --events-per-bot events of each bot.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "actors/common/services.hpp"
#include "storage/event_repository.hpp"

namespace hangar::actors {

// An event about a bot (and one of its chats), stamped now.
storage::Event make_event(std::int64_t bot_id, std::optional<std::int64_t> chat_id,
                          storage::EventKind kind, std::string reason, std::string detail = {});

// Adds what a budget stop records: the bytes held and the budget, when the budget was crossed and
// when the actor was stopped, and a detail line saying so.
void add_budget_stop(storage::Event& event, std::uint64_t live_bytes, std::uint64_t budget,
                     std::chrono::steady_clock::time_point crossed,
                     std::chrono::steady_clock::time_point stopped);

// Appends from an actor, off its thread.
void record_event(const Services& services, storage::Event event);
// Appends inside a storage job, in the job's transaction.
void append_event(storage::Database& db, const Settings& settings, const storage::Event& event);

}  // namespace hangar::actors
