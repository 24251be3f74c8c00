#include "actors/fleet/memory_guard.hpp"

#include <algorithm>

namespace hangar::actors {

std::map<std::int64_t, MemoryGuard::Eviction> MemoryGuard::choose_idle_chats(
    std::uint64_t to_free, const FleetStatus& fleet, std::uint64_t& chosen_bytes) {
  struct Candidate {
    std::int64_t last_active_ms;
    std::uint64_t bytes;
    std::int64_t bot_id;
    std::int64_t chat_id;
  };
  std::vector<Candidate> candidates;
  for (const auto& bot : fleet.bots())
    for (const auto& chat : bot->chats())
      if (!chat->busy.load(std::memory_order_relaxed))
        candidates.push_back({chat->last_active_ms.load(std::memory_order_relaxed),
                              chat->live_bytes(), bot->id, chat->chat_id});
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.last_active_ms < b.last_active_ms;
  });
  std::map<std::int64_t, Eviction> evict;
  std::uint64_t chosen = 0;
  for (const auto& candidate : candidates) {
    if (chosen >= to_free) break;
    auto& eviction = evict[candidate.bot_id];
    eviction.chat_keys.push_back(candidate.chat_id);
    eviction.bytes += candidate.bytes;
    chosen += candidate.bytes;
  }
  chosen_bytes += chosen;
  return evict;
}

}  // namespace hangar::actors
