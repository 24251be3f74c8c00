#pragma once
// Keeps the running bot actors equal to the enabled bots in SQLite: it watches the config
// version (so `hangar bot ...` from another process takes effect within a second), starts,
// stops and restarts bot actors, and restarts a crashed one under its RestartPolicy.
#include <caf/all.hpp>

#include "actors/common/services.hpp"

namespace hangar::actors {

caf::actor spawn_fleet_supervisor(caf::actor_system& system, const Services& services);

}  // namespace hangar::actors
