#include "actors/fleet_supervisor.hpp"

#include <map>
#include <optional>

#include "actors/bot_actor.hpp"
#include "actors/deliver.hpp"
#include "actors/messages.hpp"
#include "actors/restart_policy.hpp"
#include "platform/log.hpp"
#include "storage/bot_runtime_repository.hpp"
#include "storage/event_repository.hpp"

namespace hangar::actors {

namespace {

struct ManagedBot {
  storage::BotConfig config;
  caf::actor actor;  // null while the bot waits out a backoff
  RestartPolicy policy;
  bool stopping = false;                  // we asked it to end
  std::optional<storage::BotConfig> next; // start this once it has ended
};

struct SupervisorState {
  const Services* services = nullptr;
  std::int64_t seen_version = -1;
  std::map<std::int64_t, ManagedBot> bots;
  std::map<caf::actor_addr, std::int64_t> bot_ids;

  ~SupervisorState() {
    for (auto& [id, bot] : bots)
      if (bot.actor) caf::anon_send_exit(bot.actor, caf::exit_reason::user_shutdown);
  }
};

using SupervisorSelf = caf::stateful_actor<SupervisorState>;

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool wanted(const storage::BotConfig& config) { return config.enabled && !config.quarantined; }

// A change that needs a fresh bot actor (a rename does not).
bool needs_restart(const storage::BotConfig& a, const storage::BotConfig& b) {
  return a.token != b.token || a.behavior != b.behavior || a.api_url != b.api_url;
}

void record(SupervisorSelf* self, std::int64_t bot_id, std::string kind, std::string reason,
            std::string detail) {
  storage::Event event;
  event.at_ms = now_ms();
  event.bot_id = bot_id;
  event.kind = std::move(kind);
  event.reason = std::move(reason);
  event.detail = std::move(detail);
  self->state.services->storage.post([event = std::move(event)](storage::Database& db) {
    storage::EventRepository(db).append(event);
    return storage::StorageWorker::Completion();
  });
}

void count_restart(SupervisorSelf* self, std::int64_t bot_id, RestartReason reason,
                   const std::string& detail) {
  if (auto status = self->state.services->fleet.find(bot_id)) status->count_restart(reason);
  self->state.services->storage.post([bot_id](storage::Database& db) {
    storage::BotRuntimeRepository(db).add_restart(bot_id);
    return storage::StorageWorker::Completion();
  });
  record(self, bot_id, "restart", std::string(to_string(reason)), detail);
}

void start_bot(SupervisorSelf* self, ManagedBot& bot) {
  auto& services = *self->state.services;
  auto status = services.fleet.ensure(bot.config.id, bot.config.name);
  BotArgs args{&services, bot.config, status};
  bot.actor = spawn_bot_actor(self, std::move(args));
  bot.stopping = false;
  self->state.bot_ids[bot.actor.address()] = bot.config.id;
}

void stop_bot(ManagedBot& bot) {
  if (!bot.actor || bot.stopping) return;
  bot.stopping = true;
  caf::anon_send_exit(bot.actor, caf::exit_reason::user_shutdown);
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
      stop_bot(bot);
      bot.next.reset();
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
    }
    ++it;
  }
  const auto& settings = services.settings;
  for (auto& [id, config] : desired) {
    if (st.bots.count(id)) continue;
    RestartPolicy policy(settings.restart_intensity, settings.quarantine_after);
    auto& bot = st.bots.emplace(id, ManagedBot{config, {}, policy, false, std::nullopt}).first->second;
    start_bot(self, bot);
  }
  // Bots gone from the table lose their figures too.
  for (const auto& status : services.fleet.bots()) {
    bool listed = false;
    for (const auto& config : fleet.bots) listed = listed || config.id == status->id;
    if (!listed && !st.bots.count(status->id)) services.fleet.remove(status->id);
  }
}

void on_crash(SupervisorSelf* self, ManagedBot& bot, const caf::error& reason) {
  auto id = bot.config.id;
  auto detail = caf::to_string(reason);
  spdlog::warn("bot {} crashed: {}", bot.config.name, detail);
  count_restart(self, id, RestartReason::crash, detail);
  auto decision = bot.policy.on_restart(RestartPolicy::Clock::now());
  auto status = self->state.services->fleet.find(id);
  switch (decision.action) {
    case RestartPolicy::Action::restart:
      start_bot(self, bot);
      break;
    case RestartPolicy::Action::backoff:
      if (status) status->state.store(BotState::backoff);
      record(self, id, "backoff", "crash",
             "restart intensity passed; next start in " + std::to_string(decision.delay.count()) + " ms");
      self->delayed_send(self, decision.delay, respawn_atom::value, id);
      break;
    case RestartPolicy::Action::quarantine:
      if (status) status->state.store(BotState::quarantined);
      record(self, id, "quarantine", "crash", "backed off too often in a row; `hangar bot enable` lifts it");
      self->state.services->storage.post([id](storage::Database& db) {
        storage::BotRepository(db).set_quarantined(id, true);
        return storage::StorageWorker::Completion();
      });
      break;
  }
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
  if (bot.stopping) {
    if (!bot.next) {
      st.bots.erase(it);
      return;
    }
    bot.config = *bot.next;
    bot.next.reset();
    count_restart(self, id, RestartReason::config, "configuration changed");
    start_bot(self, bot);
    return;
  }
  on_crash(self, bot, down.reason);
}

void check_config(SupervisorSelf* self) {
  auto seen = self->state.seen_version;
  WeakActor me(self);
  self->state.services->storage.post([seen, me](storage::Database& db) {
    storage::BotRepository bots(db);
    auto version = bots.config_version();
    if (version == seen) return storage::StorageWorker::Completion();
    FleetConfig fleet{version, bots.list(), {}};
    storage::BotRuntimeRepository runtimes(db);
    for (const auto& bot : fleet.bots) fleet.runtimes.push_back(runtimes.load(bot.id));
    return storage::StorageWorker::Completion(
        [me, fleet = std::move(fleet)]() mutable { me.send(std::move(fleet)); });
  });
}

caf::behavior fleet_supervisor(SupervisorSelf* self, const Services* services) {
  self->state.services = services;
  self->set_down_handler([=](caf::down_msg& down) { on_bot_down(self, down); });
  self->send(self, tick_atom::value);
  return {
      [=](tick_atom) {
        check_config(self);
        self->delayed_send(self, self->state.services->settings.config_poll_interval, tick_atom::value);
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
