// Timing group: while one chat of a bot is slow (3 s), its other chats are answered within 1 s.
// A bound that holds only in the optimised build on a quiet machine; head_of_line_test.cpp
// checks the same run for correctness under any load.
#include <catch2/catch.hpp>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/slow_chat_run.hpp"

using namespace hangar::test;

TEST_CASE("while one chat is slow, the other chats of its bot are answered within 1 s") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url());
  const SlowChatRun run = run_slow_chat(sim, server);
  WARN("other chats answered after " << run.others_answered_s << " s, the slow one after "
                                     << run.slow_answered_s << " s");
  CHECK(run.others_answered_s < 1.0);
}
