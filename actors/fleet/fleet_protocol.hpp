#pragma once
// What the fleet supervisor takes from the rest of the process. Everything else it handles
// (its ticks, storage completions) is private to its own files.
#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include "actors/common/drain_atom.hpp"

namespace hangar::actors {

// The bots table may have changed: read it now rather than at the next config poll.
using reload_atom = caf::atom_constant<caf::atom("reload")>;

// drain_atom: every bot drains and ends, then the supervisor ends (its down_msg says so).
using FleetSupervisor = caf::typed_actor<caf::reacts_to<reload_atom>, caf::reacts_to<drain_atom>>;

}  // namespace hangar::actors
