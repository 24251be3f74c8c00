#pragma once
// The usual opening of a fleet test: register bots with serve, start it, and wait until every
// bot is polling the simulator.
#include <string>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"

namespace hangar::test {

// Registers `count` bots (tokens test_token(0) on, names `name_prefix` + index, `behavior`),
// starts `server`, and fails the test unless each bot polls `sim` within 15 s. Returns the
// tokens in index order.
std::vector<std::string> start_polling_bots(HangarServer& server, const sim::Simulator& sim,
                                            int count, const std::string& name_prefix,
                                            const std::string& behavior = "echo");

}  // namespace hangar::test
