#include "actors/fleet/bot_restarts.hpp"

#include <string>

#include "actors/bot/bot_actor.hpp"
#include "actors/common/event_log.hpp"
#include "platform/core/log.hpp"
#include "platform/core/units.hpp"
#include "platform/core/wall_clock.hpp"

namespace hangar::actors::fleet {

namespace {

// An event about the bot with the bytes it holds now and its budget.
storage::Event bot_event(const ManagedBot& bot, storage::EventKind kind, std::string reason,
                         std::string detail) {
  auto event = make_event(bot.config.id, std::nullopt, kind, std::move(reason), std::move(detail));
  if (bot.meter) {
    event.live_bytes = static_cast<std::int64_t>(bot.meter->total_bytes());
    event.budget = static_cast<std::int64_t>(bot.meter->budget());
  }
  return event;
}

void count_restart(SupervisorSelf* self, const ManagedBot& bot, RestartReason reason,
                   storage::Event event) {
  auto id = bot.config.id;
  if (auto status = self->state.services->fleet.find(id)) status->count_restart(reason);
  self->state.services->storage.post([id](storage::Database& db) {
    storage::BotRuntimeRepository(db).add_restart(id);
    return storage::JobQueue::Completion();
  });
  record_event(*self->state.services, std::move(event));
}

// A restart the bot did not ask for (crash, budget, memory guard), under its RestartPolicy.
void restart_under_policy(SupervisorSelf* self, ManagedBot& bot, const std::string& reason) {
  auto id = bot.config.id;
  auto decision = bot.policy.on_restart(self->clock().now());
  auto status = self->state.services->fleet.find(id);
  switch (decision.action) {
    case RestartPolicy::Action::restart:
      start_bot(self, bot);
      break;
    case RestartPolicy::Action::backoff: {
      if (status)
        status->set_state(BotState::backoff, "restart_intensity",
                          now_ms() + decision.delay.count());
      auto detail = "restart intensity passed; next start in " + format_duration(decision.delay);
      spdlog::warn("bot {}: {}", bot.config.name, detail);
      record_event(*self->state.services,
                   bot_event(bot, storage::EventKind::backoff, reason, std::move(detail)));
      self->delayed_send(self, decision.delay, respawn_atom::value, id);
      break;
    }
    case RestartPolicy::Action::quarantine: {
      if (status) status->set_state(BotState::quarantined, "restart_intensity");
      std::string detail = "backed off too often in a row; `hangar bot enable` lifts it";
      spdlog::error("bot {} quarantined: {}", bot.config.name, detail);
      record_event(*self->state.services,
                   bot_event(bot, storage::EventKind::quarantine, reason, std::move(detail)));
      self->state.services->storage.post([id](storage::Database& db) {
        storage::BotRepository(db).set_quarantined(id, true);
        return storage::JobQueue::Completion();
      });
      break;
    }
  }
}

// The bot ended itself because the Bot API refused its token. It is kept from running, in the
// bots table so that it holds across restarts of serve, until its token changes or it is enabled.
// A change to its row since the supervisor read it (a token, an enable: maybe the operator's
// answer) keeps it from being marked, and the reconcile that follows starts it again.
void park_unauthorized(SupervisorSelf* self, std::map<std::int64_t, ManagedBot>::iterator it) {
  auto& st = self->state;
  const auto& config = it->second.config;
  auto status = st.services->fleet.find(config.id);
  auto why = status ? status->last_error().value_or("") : "";
  st.services->storage.post(
      [id = config.id, revision = config.revision, why = std::move(why)](storage::Database& db) {
        storage::BotRepository(db).set_unauthorized(id, revision, why);
        return storage::JobQueue::Completion();
      });
  st.bots.erase(it);
}

void after_memory_stop(SupervisorSelf* self, ManagedBot& bot) {
  auto stop = *bot.memory_stop;
  bot.memory_stop.reset();
  const std::string reason = stop.reason == StopReason::over_budget ? "budget" : "memory_limit";
  auto event = make_event(bot.config.id, std::nullopt, storage::EventKind::restart, reason,
                          stop.reason == StopReason::over_budget
                              ? "passed its memory budget"
                              : "held the most when the heap passed --memory-limit");
  // The meter dates the crossing on the steady clock, so the stop is dated on it too.
  add_budget_stop(event, stop.live_bytes, stop.budget, stop.crossed,
                  std::chrono::steady_clock::now());
  spdlog::warn("bot {} restarted: {}", bot.config.name, event.detail);
  count_restart(self, bot, RestartReason::budget, std::move(event));
  restart_under_policy(self, bot, reason);
}

}  // namespace

std::uint64_t budget_of(const SupervisorSelf* self, const storage::BotConfig& config) {
  return config.memory_budget.value_or(self->state.settings().bot_memory_budget);
}

void start_bot(SupervisorSelf* self, ManagedBot& bot) {
  auto& services = *self->state.services;
  auto status = services.fleet.ensure(bot.config.id, bot.config.name);
  bot.meter = MemoryMeter::create(nullptr, budget_of(self, bot.config));
  status->set_meter(bot.meter);
  auto actor = spawn_bot_actor(self, BotArgs{&services, bot.config, status, bot.meter});
  self->state.bot_ids[actor.address()] = bot.config.id;
  bot.actor = ActorOwn<BotActor>(std::move(actor));
  bot.stopping = false;
  bot.memory_stop.reset();
}

void stop_bot(ManagedBot& bot, caf::error reason) {
  if (!bot.actor || bot.stopping) return;
  bot.stopping = true;
  // Stopped now, but kept (released) until its down message says it has ended.
  stop_now(caf::actor_cast<caf::strong_actor_ptr>(bot.actor.get()), std::move(reason));
}

void stop_for_memory(SupervisorSelf* self, ManagedBot& bot, MemoryStop stop) {
  if (!bot.actor || bot.stopping) return;
  bot.memory_stop = stop;
  stop_bot(bot, make_error(stop.reason));
  self->state.trimmer.request(self->clock().now());
}

void end_when_drained(SupervisorSelf* self) {
  for (const auto& [id, bot] : self->state.bots)
    if (bot.actor) return;
  self->quit();
}

void on_bot_down(SupervisorSelf* self, const caf::down_msg& down) {
  auto& st = self->state;
  auto found = st.bot_ids.find(down.source);
  if (found == st.bot_ids.end()) return;
  auto id = found->second;
  st.bot_ids.erase(found);
  auto it = st.bots.find(id);
  if (it == st.bots.end()) return;
  auto& bot = it->second;
  bot.actor.release();  // it has ended already
  if (st.draining) {
    st.bots.erase(it);
    return end_when_drained(self);
  }
  if (bot.removed) {
    // A deleted bot's figures go with it, /metrics included; a disabled or quarantined bot's
    // stay, with the state that says why it does not run.
    if (bot.deleted) st.services->fleet.remove(id);
    st.bots.erase(it);
    return;
  }
  const bool reconfigured = bot.next.has_value();
  if (reconfigured) {
    bot.config = *bot.next;
    bot.next.reset();
  }
  if (!reconfigured && stop_reason_of(down.reason) == StopReason::unauthorized)
    return park_unauthorized(self, it);
  if (bot.memory_stop) return after_memory_stop(self, bot);
  if (reconfigured) {
    count_restart(self, bot, RestartReason::config,
                  bot_event(bot, storage::EventKind::restart, "config", "configuration changed"));
    return start_bot(self, bot);
  }
  auto detail = caf::to_string(down.reason);
  spdlog::warn("bot {} crashed: {}", bot.config.name, detail);
  count_restart(self, bot, RestartReason::crash,
                bot_event(bot, storage::EventKind::restart, "crash", detail));
  restart_under_policy(self, bot, "crash");
}

}  // namespace hangar::actors::fleet
