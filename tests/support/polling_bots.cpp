#include "tests/support/polling_bots.hpp"

#include <catch2/catch.hpp>

#include <chrono>

#include "tests/support/sim_helpers.hpp"

namespace hangar::test {

std::vector<std::string> start_polling_bots(HangarServer& server, const sim::Simulator& sim,
                                            int count, const std::string& name_prefix,
                                            const std::string& behavior) {
  std::vector<std::string> tokens;
  for (int b = 0; b < count; ++b) {
    tokens.push_back(test_token(b));
    server.add_bot(tokens.back(), name_prefix + std::to_string(b), behavior);
  }
  server.start();
  for (const auto& token : tokens) REQUIRE(wait_for_polls(sim, token, 1, std::chrono::seconds(15)));
  return tokens;
}

}  // namespace hangar::test
