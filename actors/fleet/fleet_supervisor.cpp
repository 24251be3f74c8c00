#include "actors/fleet/fleet_supervisor.hpp"

#include <map>
#include <set>

#include "actors/common/weak_handle.hpp"
#include "actors/fleet/bot_restarts.hpp"
#include "actors/fleet/fleet_state.hpp"
#include "actors/fleet/memory_watch.hpp"

namespace hangar::actors {

namespace {

using namespace fleet;

bool wanted(const storage::BotConfig& config) {
  return config.enabled && !config.quarantined && !config.unauthorized;
}

// What a bot that is not wanted shows: why it does not run.
void show_parked(BotStatus& status, const storage::BotConfig& config) {
  if (config.quarantined) return status.set_state(BotState::quarantined, "restart_intensity");
  if (!config.enabled) return status.set_state(BotState::stopped, "disabled");
  status.set_state(BotState::unauthorized, "token_rejected");
  // After a restart of serve, the table is what remembers why.
  if (!status.last_error()) status.set_last_error(*config.unauthorized);
}

// A change that needs a fresh bot actor (a rename or a new budget does not).
bool needs_restart(const storage::BotConfig& a, const storage::BotConfig& b) {
  return a.token != b.token || a.behavior != b.behavior || a.api_url != b.api_url ||
         a.proxy != b.proxy;
}

// The enabled bots, keyed by id; the others' figures say why they do not run.
std::map<std::int64_t, storage::BotConfig> desired_bots(SupervisorSelf* self, FleetConfig& config) {
  auto& fleet = self->state.services->fleet;
  std::map<std::int64_t, storage::BotConfig> desired;
  for (std::size_t i = 0; i < config.bots.size(); ++i) {
    auto& bot = config.bots[i];
    bool known = fleet.find(bot.id) != nullptr;
    auto status = fleet.ensure(bot.id, bot.name);
    if (!known) {
      // Figures that outlive the process.
      status->restarts.store(config.runtimes[i].restarts);
      status->updates_handled.store(config.runtimes[i].updates_handled);
      status->set_username(config.runtimes[i].username);
    }
    if (!wanted(bot))
      show_parked(*status, bot);
    else
      desired.emplace(bot.id, std::move(bot));
  }
  return desired;
}

// Brings one running (or backing off) bot to its desired config, or stops it when it has none;
// `listed` says whether the bots table still has it. Returns false when the bot can be forgotten
// now.
bool follow(SupervisorSelf* self, ManagedBot& bot, const storage::BotConfig* desired, bool listed) {
  if (!desired) {
    bot.removed = true;
    bot.deleted = !listed;
    bot.next.reset();
    stop_bot(bot);
    return static_cast<bool>(bot.actor);  // forgotten once its down message comes
  }
  bot.removed = false;
  bot.deleted = false;
  if (bot.stopping) {
    // On its way down (removed, reconfigured, or over its memory a moment ago): whatever it
    // stopped for, it starts again with the newest config once its down message comes.
    bot.next = *desired;
    return true;
  }
  if (needs_restart(bot.config, *desired)) {
    if (bot.actor) {
      bot.next = *desired;  // starts again with it once down
      stop_bot(bot);
    } else {
      bot.config = *desired;
      start_bot(self, bot);
    }
    return true;
  }
  bot.config = *desired;
  const auto budget = budget_of(self, bot.config);
  if (bot.meter && bot.meter->budget() != budget) bot.meter->set_budget(budget);
  return true;
}

void reconcile(SupervisorSelf* self, FleetConfig& config) {
  auto& st = self->state;
  // Two reads may overlap and bring the same version twice; the second is stale by then (a bot
  // parked meanwhile would start again).
  if (config.version <= st.seen_version) return;
  st.seen_version = config.version;
  std::set<std::int64_t> listed;
  for (const auto& bot : config.bots) listed.insert(bot.id);
  auto desired = desired_bots(self, config);
  for (auto it = st.bots.begin(); it != st.bots.end();) {
    auto wanted_config = desired.find(it->first);
    const bool keep =
        follow(self, it->second, wanted_config == desired.end() ? nullptr : &wanted_config->second,
               listed.count(it->first) > 0);
    it = keep ? std::next(it) : st.bots.erase(it);
  }
  const auto& settings = st.settings();
  for (auto& [id, bot_config] : desired) {
    if (st.bots.count(id)) continue;
    RestartPolicy policy(settings.restart_intensity, settings.quarantine_after);
    start_bot(self, st.bots.emplace(id, ManagedBot{bot_config, policy}).first->second);
  }
  // Bots gone from the table lose their figures too.
  for (const auto& status : st.services->fleet.bots())
    if (!listed.count(status->id) && !st.bots.count(status->id))
      st.services->fleet.remove(status->id);
}

// Reads the bots table, unless its version is the one already seen.
void check_config(SupervisorSelf* self) {
  auto seen = self->state.seen_version;
  WeakHandle<SupervisorImpl> me(self);
  self->state.services->storage.post([seen, me](storage::Database& db) {
    storage::BotRepository bots(db);
    auto version = bots.config_version();
    if (version == seen) return storage::JobQueue::Completion();
    FleetConfig config{version, bots.list(), {}};
    storage::BotRuntimeRepository runtimes(db);
    for (const auto& bot : config.bots) config.runtimes.push_back(runtimes.load(bot.id));
    return storage::JobQueue::Completion(
        [me, config = std::move(config)]() mutable { me.send(std::move(config)); });
  });
}

SupervisorImpl::behavior_type fleet_supervisor(SupervisorSelf* self, const Services* services) {
  auto& st = self->state;
  st.services = services;
  st.seen_crossings = MemoryMeter::budget_crossings();
  if (services->settings.memory_limit) st.guard.emplace(*services->settings.memory_limit);
  self->set_down_handler([=](caf::down_msg& down) { on_bot_down(self, down); });
  self->send(self, config_tick_atom::value);
  self->send(self, watch_tick_atom::value);
  // Draining, the fleet only shrinks: no config is followed, no bot started or restarted.
  const auto working = [self] { return !self->state.draining; };
  return {
      [=](reload_atom) {
        if (working()) check_config(self);
      },
      [=](config_tick_atom) {
        if (!working()) return;
        check_config(self);
        self->delayed_send(self, self->state.settings().timings.config_poll_interval,
                           config_tick_atom::value);
      },
      [=](watch_tick_atom) {
        if (!working()) return;
        watch_memory(self);
        // A bot is stopped within this (plus its current message) of passing its budget.
        self->delayed_send(self, self->state.settings().timings.budget_watch_interval,
                           watch_tick_atom::value);
      },
      [=](FleetConfig& config) {
        if (working()) reconcile(self, config);
      },
      [=](respawn_atom, std::int64_t id) {
        auto it = self->state.bots.find(id);
        if (working() && it != self->state.bots.end() && !it->second.actor)
          start_bot(self, it->second);
      },
      [=](drain_atom) {
        self->state.draining = true;
        for (auto& [id, bot] : self->state.bots)
          if (bot.actor) self->send(bot.actor.get(), drain_atom::value);
        end_when_drained(self);
      },
  };
}

}  // namespace

FleetSupervisor spawn_fleet_supervisor(caf::actor_system& system, const Services& services) {
  return system.spawn(fleet_supervisor, &services);
}

}  // namespace hangar::actors
