#pragma once
// Inside the fleet supervisor: its private messages, its state, and the pointer its handlers
// take. Shared by fleet_supervisor.cpp, bot_restarts.cpp and memory_watch.cpp, and no one else.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <caf/actor_clock.hpp>
#include <caf/atom.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/bot/bot_protocol.hpp"
#include "actors/common/actor_own.hpp"
#include "actors/common/services.hpp"
#include "actors/common/stop_reason.hpp"
#include "actors/fleet/fleet_protocol.hpp"
#include "actors/fleet/memory_guard.hpp"
#include "actors/fleet/restart_policy.hpp"
#include "platform/memory/heap_trimmer.hpp"
#include "storage/bot_repository.hpp"
#include "storage/bot_runtime_repository.hpp"

namespace hangar::actors::fleet {

// The supervisor's view of the bots table.
struct FleetConfig {
  std::int64_t version = 0;
  std::vector<storage::BotConfig> bots;
  std::vector<storage::BotRuntime> runtimes;  // one per bot, same order
};

}  // namespace hangar::actors::fleet

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hangar::actors::fleet::FleetConfig)

namespace hangar::actors::fleet {

using config_tick_atom = caf::atom_constant<caf::atom("cfgtick")>;   // look at the config
using watch_tick_atom = caf::atom_constant<caf::atom("watchtick")>;  // look at the memory
using respawn_atom = caf::atom_constant<caf::atom("respawn")>;       // a backoff is over

using SupervisorImpl =
    FleetSupervisor::extend<caf::reacts_to<FleetConfig>, caf::reacts_to<config_tick_atom>,
                            caf::reacts_to<watch_tick_atom>,
                            caf::reacts_to<respawn_atom, std::int64_t>>;

// The actor clock, which an actor test drives by hand.
using Clock = caf::actor_clock::clock_type;

// A stop the supervisor made for memory: what the bot held, against what, since when.
struct MemoryStop {
  StopReason reason;
  std::chrono::steady_clock::time_point crossed;  // the meter's clock
  std::uint64_t live_bytes;
  std::uint64_t budget;  // the bot's budget, or the process-wide limit
};

struct ManagedBot {
  ManagedBot(storage::BotConfig config, RestartPolicy policy)
      : config(std::move(config)), policy(policy) {}
  storage::BotConfig config;
  RestartPolicy policy;
  ActorOwn<BotActor> actor;                // empty while the bot waits out a backoff
  std::shared_ptr<MemoryMeter> meter;      // the running (or last) actor's
  bool stopping = false;                   // we asked it to end...
  bool removed = false;                    // ...for good (disabled, quarantined or deleted)
  bool deleted = false;                    // ...gone from the bots table, figures and all
  std::optional<storage::BotConfig> next;  // ...to start again with this config
  std::optional<MemoryStop> memory_stop;   // ...because of its memory
};

struct SupervisorState {
  const Services* services = nullptr;
  std::int64_t seen_version = -1;
  std::uint64_t seen_crossings = 0;
  // The bots stop with the table (ActorOwn).
  std::map<std::int64_t, ManagedBot> bots;
  std::map<caf::actor_addr, std::int64_t> bot_ids;
  std::optional<MemoryGuard> guard;
  HeapTrimmer trimmer;
  // drain_atom came: no bot starts or restarts any more, and the supervisor ends with the last.
  bool draining = false;

  const Settings& settings() const { return services->settings; }
};

using SupervisorSelf = caf::stateful_actor<SupervisorState, SupervisorImpl::base>;

}  // namespace hangar::actors::fleet
