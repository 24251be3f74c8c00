// Acceptance, No head-of-line blocking: one chat whose behaviour is slow does not delay the other
// chats of the same bot. Here, under any load: the other chats are answered before the slow one
// (3 s), each once. How soon (within 1 s) is a speed bound: head_of_line_timing_test.cpp.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/slow_chat_run.hpp"

using namespace hangar::test;

TEST_CASE("a slow chat does not hold up the other chats of its bot") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url());
  const SlowChatRun run = run_slow_chat(sim, server);
  INFO("other chats answered after " << run.others_answered_s << " s, the slow one after "
                                     << run.slow_answered_s << " s");
  CHECK(run.others_answered_s < run.slow_answered_s);
  CHECK(run.slow_answered_s >= 2.9);
  CHECK(run.replies.at(SlowChatRun::slow_chat) == std::vector<std::string>{"slow x"});
  for (auto chat : run.other_chats)
    CHECK(run.replies.at(chat) == std::vector<std::string>{"quick " + std::to_string(chat)});
}
