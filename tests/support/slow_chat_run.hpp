#pragma once
// The head-of-line scenario, shared by the correctness test (parallel group) and the speed test
// (timing group): a `slow:3s` bot gets "slow x" in one chat and a quick message in each of ten
// other chats at once, and the simulator records when each reply arrived.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"

namespace hangar::test {

struct SlowChatRun {
  static constexpr std::int64_t slow_chat = 1;
  std::vector<std::int64_t> other_chats;
  double others_answered_s = 0;  // when the last quick reply arrived, after the injection
  double slow_answered_s = 0;    // when the slow reply arrived
  std::map<std::int64_t, std::vector<std::string>> replies;  // per chat, once all came
};

// Starts `server` with one bot, `slow:3s`, warms up its send path (so the run measures blocking,
// not first use), injects, and waits (up to 10 s) for every reply; fails the test without them.
SlowChatRun run_slow_chat(sim::Simulator& sim, HangarServer& server);

}  // namespace hangar::test
