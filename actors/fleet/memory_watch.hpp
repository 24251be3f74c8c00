#pragma once
// The supervisor's memory watch, every Timings::budget_watch_interval: it stops each bot whose
// meter passed its budget, runs the --memory-limit guard (evict idle chats, then restart the
// biggest bot), and lets the heap trimmer give freed memory back to the OS.
#include "actors/fleet/fleet_state.hpp"

namespace hangar::actors::fleet {

void watch_memory(SupervisorSelf* self);

}  // namespace hangar::actors::fleet
