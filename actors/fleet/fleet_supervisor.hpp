#pragma once
// Keeps the running bot actors equal to the enabled bots in SQLite: it watches the config
// version (so `hangar bot ...` from another process takes effect within a second), starts,
// stops and restarts bot actors (bot_restarts.cpp), restarts a crashed one under its
// RestartPolicy, and watches memory: budgets, the --memory-limit guard and the heap trimmer
// (memory_watch.cpp).
#include <caf/actor_system.hpp>

#include "actors/common/services.hpp"
#include "actors/fleet/fleet_protocol.hpp"

namespace hangar::actors {

FleetSupervisor spawn_fleet_supervisor(caf::actor_system& system, const Services& services);

}  // namespace hangar::actors
