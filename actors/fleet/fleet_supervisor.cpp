#include "actors/fleet/fleet_supervisor.hpp"

#include <map>
#include <optional>

#include "actors/bot/bot_actor.hpp"
#include "actors/common/event_log.hpp"
#include "actors/common/messages.hpp"
#include "actors/common/stop_reason.hpp"
#include "actors/common/weak_handle.hpp"
#include "actors/fleet/memory_guard.hpp"
#include "actors/fleet/restart_policy.hpp"
#include "platform/core/log.hpp"
#include "platform/core/units.hpp"
#include "platform/memory/heap_trimmer.hpp"
#include "platform/memory/memory_meter.hpp"
#include "storage/bot_runtime_repository.hpp"

namespace hangar::actors {

namespace {

using Clock = std::chrono::steady_clock;

// A stop the supervisor made for memory: what the bot held, against what, since when.
struct MemoryStop {
  StopReason reason;
  Clock::time_point crossed;
  std::uint64_t live_bytes;
  std::uint64_t budget;  // the bot's budget, or the process-wide limit
};

struct ManagedBot {
  ManagedBot(storage::BotConfig config, RestartPolicy policy)
      : config(std::move(config)), policy(policy) {}
  storage::BotConfig config;
  RestartPolicy policy;
  caf::actor actor;                        // null while the bot waits out a backoff
  std::shared_ptr<MemoryMeter> meter;      // the running (or last) actor's
  bool stopping = false;                   // we asked it to end...
  bool removed = false;                    // ...for good
  std::optional<storage::BotConfig> next;  // ...to start again with this config
  std::optional<MemoryStop> memory_stop;   // ...because of its memory
};

struct SupervisorState {
  const Services* services = nullptr;
  std::int64_t seen_version = -1;
  std::uint64_t seen_crossings = 0;
  std::map<std::int64_t, ManagedBot> bots;
  std::map<caf::actor_addr, std::int64_t> bot_ids;
  std::optional<MemoryGuard> guard;
  HeapTrimmer trimmer;

  ~SupervisorState() {
    for (auto& [id, bot] : bots)
      if (bot.actor) caf::anon_send_exit(bot.actor, caf::exit_reason::user_shutdown);
  }
  const Settings& settings() const { return services->settings; }
};

using SupervisorSelf = caf::stateful_actor<SupervisorState>;

bool wanted(const storage::BotConfig& config) {
  return config.enabled && !config.quarantined;
}

// A change that needs a fresh bot actor (a rename or a new budget does not).
bool needs_restart(const storage::BotConfig& a, const storage::BotConfig& b) {
  return a.token != b.token || a.behavior != b.behavior || a.api_url != b.api_url;
}

std::uint64_t budget_of(const SupervisorSelf* self, const storage::BotConfig& config) {
  return config.memory_budget.value_or(self->state.settings().bot_memory_budget);
}

// An event about the bot with the bytes it holds now and its budget.
storage::Event bot_event(const ManagedBot& bot, std::string kind, std::string reason,
                         std::string detail) {
  auto event = make_event(bot.config.id, std::nullopt, std::move(kind), std::move(reason),
                          std::move(detail));
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

void start_bot(SupervisorSelf* self, ManagedBot& bot) {
  auto& services = *self->state.services;
  auto status = services.fleet.ensure(bot.config.id, bot.config.name);
  bot.meter = MemoryMeter::create(nullptr, budget_of(self, bot.config));
  status->set_meter(bot.meter);
  bot.actor = spawn_bot_actor(self, BotArgs{&services, bot.config, status, bot.meter});
  bot.stopping = false;
  bot.memory_stop.reset();
  self->state.bot_ids[bot.actor.address()] = bot.config.id;
}

void stop_bot(ManagedBot& bot, caf::error reason = caf::exit_reason::user_shutdown) {
  if (!bot.actor || bot.stopping) return;
  bot.stopping = true;
  stop_now(bot.actor, std::move(reason));
}

void stop_for_memory(SupervisorSelf* self, ManagedBot& bot, MemoryStop stop) {
  if (!bot.actor || bot.stopping) return;
  bot.memory_stop = stop;
  stop_bot(bot, make_error(stop.reason));
  self->state.trimmer.request(Clock::now());
}

void reconcile(SupervisorSelf* self, FleetConfig& fleet) {
  auto& st = self->state;
  auto& services = *st.services;
  st.seen_version = fleet.version;
  std::map<std::int64_t, storage::BotConfig> desired;
  for (std::size_t i = 0; i < fleet.bots.size(); ++i) {
    auto& config = fleet.bots[i];
    bool known = services.fleet.find(config.id) != nullptr;
    auto status = services.fleet.ensure(config.id, config.name);
    if (!known) {
      // Figures that outlive the process.
      status->restarts.store(fleet.runtimes[i].restarts);
      status->set_username(fleet.runtimes[i].username);
    }
    if (!wanted(config))
      status->state.store(config.quarantined ? BotState::quarantined : BotState::stopped);
    else
      desired.emplace(config.id, std::move(config));
  }
  for (auto it = st.bots.begin(); it != st.bots.end();) {
    auto& bot = it->second;
    auto wanted_config = desired.find(it->first);
    if (wanted_config == desired.end()) {
      bot.removed = true;
      stop_bot(bot);
      if (!bot.actor) {
        it = st.bots.erase(it);
        continue;
      }
    } else if (needs_restart(bot.config, wanted_config->second)) {
      if (bot.actor) {
        bot.next = wanted_config->second;
        stop_bot(bot);
      } else {
        bot.config = wanted_config->second;
        start_bot(self, bot);
      }
    } else {
      bot.config = wanted_config->second;
      const auto budget = budget_of(self, bot.config);
      if (bot.meter && bot.meter->budget() != budget) bot.meter->set_budget(budget);
    }
    ++it;
  }
  const auto& settings = st.settings();
  for (auto& [id, config] : desired) {
    if (st.bots.count(id)) continue;
    auto& bot = st.bots
                    .emplace(id, ManagedBot{config, RestartPolicy(settings.restart_intensity,
                                                                  settings.quarantine_after)})
                    .first->second;
    start_bot(self, bot);
  }
  // Bots gone from the table lose their figures too.
  for (const auto& status : services.fleet.bots()) {
    bool listed = false;
    for (const auto& config : fleet.bots) listed = listed || config.id == status->id;
    if (!listed && !st.bots.count(status->id)) services.fleet.remove(status->id);
  }
}

// A restart the bot did not ask for (crash, budget, memory guard), under its RestartPolicy.
void restart_under_policy(SupervisorSelf* self, ManagedBot& bot, const std::string& reason) {
  auto id = bot.config.id;
  auto decision = bot.policy.on_restart(Clock::now());
  auto status = self->state.services->fleet.find(id);
  switch (decision.action) {
    case RestartPolicy::Action::restart:
      start_bot(self, bot);
      break;
    case RestartPolicy::Action::backoff: {
      if (status) status->state.store(BotState::backoff);
      auto detail = "restart intensity passed; next start in " + format_duration(decision.delay);
      spdlog::warn("bot {}: {}", bot.config.name, detail);
      record_event(*self->state.services, bot_event(bot, "backoff", reason, std::move(detail)));
      self->delayed_send(self, decision.delay, respawn_atom::value, id);
      break;
    }
    case RestartPolicy::Action::quarantine: {
      if (status) status->state.store(BotState::quarantined);
      std::string detail = "backed off too often in a row; `hangar bot enable` lifts it";
      spdlog::error("bot {} quarantined: {}", bot.config.name, detail);
      record_event(*self->state.services, bot_event(bot, "quarantine", reason, std::move(detail)));
      self->state.services->storage.post([id](storage::Database& db) {
        storage::BotRepository(db).set_quarantined(id, true);
        return storage::JobQueue::Completion();
      });
      break;
    }
  }
}

void after_memory_stop(SupervisorSelf* self, ManagedBot& bot) {
  auto stop = *bot.memory_stop;
  bot.memory_stop.reset();
  const std::string reason = stop.reason == StopReason::over_budget ? "budget" : "memory_limit";
  auto event = make_event(bot.config.id, std::nullopt, "restart", reason,
                          stop.reason == StopReason::over_budget
                              ? "passed its memory budget"
                              : "held the most when the heap passed --memory-limit");
  add_budget_stop(event, stop.live_bytes, stop.budget, stop.crossed, Clock::now());
  spdlog::warn("bot {} restarted: {}", bot.config.name, event.detail);
  count_restart(self, bot, RestartReason::budget, std::move(event));
  restart_under_policy(self, bot, reason);
}

void on_bot_down(SupervisorSelf* self, caf::down_msg& down) {
  auto& st = self->state;
  auto found = st.bot_ids.find(down.source);
  if (found == st.bot_ids.end()) return;
  auto id = found->second;
  st.bot_ids.erase(found);
  auto it = st.bots.find(id);
  if (it == st.bots.end()) return;
  auto& bot = it->second;
  bot.actor = nullptr;
  if (bot.removed) {
    st.bots.erase(it);
    return;
  }
  const bool reconfigured = bot.next.has_value();
  if (reconfigured) {
    bot.config = *bot.next;
    bot.next.reset();
  }
  if (bot.memory_stop) return after_memory_stop(self, bot);
  if (reconfigured) {
    count_restart(self, bot, RestartReason::config,
                  bot_event(bot, "restart", "config", "configuration changed"));
    return start_bot(self, bot);
  }
  auto detail = caf::to_string(down.reason);
  spdlog::warn("bot {} crashed: {}", bot.config.name, detail);
  count_restart(self, bot, RestartReason::crash, bot_event(bot, "restart", "crash", detail));
  restart_under_policy(self, bot, "crash");
}

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

void guard_memory(SupervisorSelf* self, std::int64_t metered) {
  auto& st = self->state;
  const auto now = Clock::now();
  auto running = [&](std::int64_t id) {
    auto it = st.bots.find(id);
    return it != st.bots.end() && it->second.actor && !it->second.stopping;
  };
  auto plan = st.guard->check(static_cast<std::uint64_t>(std::max<std::int64_t>(0, metered)), now,
                              st.services->fleet, running);
  if (!plan) return;
  const auto limit = st.guard->limit();
  for (auto& [bot_id, eviction] : plan->evict) {
    auto it = st.bots.find(bot_id);
    if (it == st.bots.end() || !it->second.actor) continue;
    auto detail = "heap at " + std::to_string(metered) + " bytes of the " + format_size(limit) +
                  " --memory-limit; retiring " + std::to_string(eviction.chat_keys.size()) +
                  " least recently active chats, if idle";
    spdlog::info("bot {}: {}", it->second.config.name, detail);
    auto event = make_event(bot_id, std::nullopt, "evict", "memory_limit", std::move(detail));
    event.live_bytes = static_cast<std::int64_t>(eviction.bytes);
    event.budget = static_cast<std::int64_t>(limit);
    record_event(*st.services, std::move(event));
    self->send(it->second.actor, EvictChats{std::move(eviction.chat_keys)});
  }
  if (!plan->evict.empty()) st.trimmer.request(now);
  if (plan->restart_bot) {
    auto& bot = st.bots.at(*plan->restart_bot);
    spdlog::warn("heap at {} bytes, over the {} --memory-limit after evictions: restarting bot {}",
                 metered, format_size(limit), bot.config.name);
    stop_for_memory(self, bot,
                    MemoryStop{StopReason::memory_limit, plan->over_limit_since,
                               bot.meter->total_bytes(), limit});
  }
}

void watch(SupervisorSelf* self) {
  auto& st = self->state;
  enforce_budgets(self);
  const auto metered = MemoryMeter::metered_bytes();
  if (st.guard) guard_memory(self, metered);
  st.trimmer.tick(Clock::now(), metered);
}

void check_config(SupervisorSelf* self) {
  auto seen = self->state.seen_version;
  WeakActor me(self);
  self->state.services->storage.post([seen, me](storage::Database& db) {
    storage::BotRepository bots(db);
    auto version = bots.config_version();
    if (version == seen) return storage::JobQueue::Completion();
    FleetConfig fleet{version, bots.list(), {}};
    storage::BotRuntimeRepository runtimes(db);
    for (const auto& bot : fleet.bots) fleet.runtimes.push_back(runtimes.load(bot.id));
    return storage::JobQueue::Completion(
        [me, fleet = std::move(fleet)]() mutable { me.send(std::move(fleet)); });
  });
}

caf::behavior fleet_supervisor(SupervisorSelf* self, const Services* services) {
  auto& st = self->state;
  st.services = services;
  st.seen_crossings = MemoryMeter::budget_crossings();
  if (services->settings.memory_limit) st.guard.emplace(*services->settings.memory_limit);
  self->set_down_handler([=](caf::down_msg& down) { on_bot_down(self, down); });
  self->send(self, tick_atom::value);
  self->send(self, watch_atom::value);
  return {
      [=](tick_atom) {
        check_config(self);
        self->delayed_send(self, self->state.settings().timings.config_poll_interval,
                           tick_atom::value);
      },
      [=](watch_atom) {
        watch(self);
        // A bot is stopped within this (plus its current message) of passing its budget.
        self->delayed_send(self, self->state.settings().timings.budget_watch_interval,
                           watch_atom::value);
      },
      [=](FleetConfig& fleet) { reconcile(self, fleet); },
      [=](respawn_atom, std::int64_t id) {
        auto it = self->state.bots.find(id);
        if (it != self->state.bots.end() && !it->second.actor) start_bot(self, it->second);
      },
  };
}

}  // namespace

caf::actor spawn_fleet_supervisor(caf::actor_system& system, const Services& services) {
  return system.spawn(fleet_supervisor, &services);
}

}  // namespace hangar::actors
