#include "actors/fleet/memory_watch.hpp"

#include <algorithm>
#include <string>

#include "actors/common/event_log.hpp"
#include "actors/fleet/bot_restarts.hpp"
#include "platform/core/log.hpp"
#include "platform/core/units.hpp"

namespace hangar::actors::fleet {

namespace {

// Stops each running bot whose meter passed its budget. Only looks when some meter crossed.
void enforce_budgets(SupervisorSelf* self) {
  auto& st = self->state;
  const auto crossings = MemoryMeter::budget_crossings();
  if (crossings == st.seen_crossings) return;
  st.seen_crossings = crossings;
  for (auto& [id, bot] : st.bots) {
    if (!bot.actor || bot.stopping || !bot.meter) continue;
    if (auto crossed = bot.meter->over_budget_since())
      stop_for_memory(self, bot,
                      MemoryStop{StopReason::over_budget, *crossed, bot.meter->total_bytes(),
                                 bot.meter->budget()});
  }
}

void evict(SupervisorSelf* self, std::int64_t bot_id, MemoryGuard::Eviction& eviction,
           std::int64_t metered) {
  auto& st = self->state;
  auto it = st.bots.find(bot_id);
  if (it == st.bots.end() || !it->second.actor) return;
  const auto limit = st.guard->limit();
  auto detail = "heap at " + std::to_string(metered) + " bytes of the " + format_size(limit) +
                " --memory-limit; retiring " + std::to_string(eviction.chat_keys.size()) +
                " least recently active chats, if idle";
  spdlog::info("bot {}: {}", it->second.config.name, detail);
  auto event = make_event(bot_id, std::nullopt, storage::EventKind::evict, "memory_limit",
                          std::move(detail));
  event.live_bytes = static_cast<std::int64_t>(eviction.bytes);
  event.budget = static_cast<std::int64_t>(limit);
  record_event(*st.services, std::move(event));
  self->send(it->second.actor.get(), EvictChats{std::move(eviction.chat_keys)});
}

void guard_memory(SupervisorSelf* self, std::int64_t metered) {
  auto& st = self->state;
  const auto now = self->clock().now();
  auto running = [&](std::int64_t id) {
    auto it = st.bots.find(id);
    return it != st.bots.end() && it->second.actor && !it->second.stopping;
  };
  auto plan = st.guard->check(static_cast<std::uint64_t>(std::max<std::int64_t>(0, metered)), now,
                              st.services->fleet, running);
  if (!plan) return;
  for (auto& [bot_id, eviction] : plan->evict) evict(self, bot_id, eviction, metered);
  if (!plan->evict.empty()) st.trimmer.request(now);
  if (!plan->restart_bot) return;
  auto& bot = st.bots.at(*plan->restart_bot);
  const auto limit = st.guard->limit();
  spdlog::warn("heap at {} bytes, over the {} --memory-limit after evictions: restarting bot {}",
               metered, format_size(limit), bot.config.name);
  stop_for_memory(self, bot,
                  MemoryStop{StopReason::memory_limit, plan->over_limit_since,
                             bot.meter->total_bytes(), limit});
}

}  // namespace

void watch_memory(SupervisorSelf* self) {
  auto& st = self->state;
  enforce_budgets(self);
  const auto metered = MemoryMeter::metered_bytes();
  if (st.guard) guard_memory(self, metered);
  st.trimmer.tick(self->clock().now(), metered);
}

}  // namespace hangar::actors::fleet
