#include "tests/support/bot_checks.hpp"

#include <catch2/catch.hpp>

#include <sstream>
#include <thread>

#include "tests/support/sim_helpers.hpp"

namespace hangar::test {

std::string Silence::describe() const {
  std::ostringstream out;
  out << calls << " Bot API calls (" << get_updates << " getUpdates) and " << replies
      << " replies while the probe waited";
  return out.str();
}

Silence watch_silence(sim::Simulator& sim, const std::string& token, std::int64_t chat,
                      const std::string& probe, std::chrono::milliseconds how_long) {
  const auto before = sim.counters(token);
  const auto replies_before = sent_texts(sim, token, chat).size();
  inject(sim, token, chat, probe);
  std::this_thread::sleep_for(how_long);
  const auto after = sim.counters(token);
  Silence silence;
  silence.calls = after.calls - before.calls;
  silence.get_updates = after.get_updates - before.get_updates;
  silence.replies = sent_texts(sim, token, chat).size() - replies_before;
  return silence;
}

SteadyClock::time_point run_cli_ok(const HangarServer& server,
                                   const std::vector<std::string>& args) {
  RunResult result = server.run_cli(args);
  const auto returned = SteadyClock::now();
  std::string command = "hangar";
  for (const auto& arg : args) command += " " + arg;
  INFO(command << "\nexit " << result.status.code << ", stderr: " << result.err);
  REQUIRE(result.status.code == 0);
  return returned;
}

std::optional<double> seconds_until(const std::function<bool()>& took_effect,
                                    SteadyClock::time_point since,
                                    std::chrono::milliseconds give_up) {
  const auto deadline = since + give_up;
  while (true) {
    if (took_effect()) return std::chrono::duration<double>(SteadyClock::now() - since).count();
    if (SteadyClock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void check_followed(const std::optional<double>& took, const std::string& what) {
  const double limit = std::chrono::duration<double>(follow_contract + follow_margin).count();
  if (!took) {
    FAIL_CHECK(what << ": not in effect after 15 s (contract 2 s, limit " << limit << " s)");
    return;
  }
  WARN(what << ": in effect after " << *took << " s (contract 2 s, limit " << limit << " s)");
  CHECK(*took <= limit);
}

}  // namespace hangar::test
