#pragma once
// `hangar sim`: the simulator as a process of its own, until SIGINT or SIGTERM.
#include <optional>

#include "sim/simulator.hpp"

namespace hangar::sim {

struct SimCommandOptions {
  SimOptions server;
  std::optional<TrafficOptions> traffic;  // drive users at every bot that polls
  Faults faults;                          // switched on for every bot from the start
};

// Prints "Simulator on http(s)://HOST:PORT" to stdout once listening. Returns the exit status.
int run_sim(const SimCommandOptions& options);

}  // namespace hangar::sim
