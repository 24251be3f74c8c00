#pragma once
// Checks that prove what they claim about a bot, as a user sees it through the simulator and
// serve's CLI:
// - that a bot is really silent. A live bot parked in its long poll makes no call for as long as
//   the poll lasts, so comparing getUpdates counts proves nothing on its own. A probe message,
//   which a live bot fetches at once and answers, must stay unanswered and draw no call;
// - when a change made with the CLI took effect. The README promises that a running serve
//   follows one within 2 s; tests measure it and allow a stated margin for a loaded machine.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"

namespace hangar::test {

using SteadyClock = std::chrono::steady_clock;

// What a bot did while a probe message waited for it.
struct Silence {
  std::uint64_t calls = 0;        // Bot API requests of any kind
  std::uint64_t get_updates = 0;  // of which getUpdates
  std::size_t replies = 0;        // messages sent to the probe's chat
  bool silent() const { return calls == 0 && replies == 0; }
  std::string describe() const;
};

// Injects `probe` into `chat` of `token` and watches the bot for `how_long`. The probe stays
// queued in the simulator, so a bot that comes back later answers it.
Silence watch_silence(sim::Simulator& sim, const std::string& token, std::int64_t chat,
                      const std::string& probe,
                      std::chrono::milliseconds how_long = std::chrono::seconds(3));

// README: a running serve follows a CLI change within 2 s; a test allows this much on top.
constexpr std::chrono::milliseconds follow_contract{2000};
constexpr std::chrono::milliseconds follow_margin{1500};

// Runs `hangar ARGS... --db <serve's db>`, fails the test unless it exits 0, and returns when it
// returned: the change is committed from then on.
SteadyClock::time_point run_cli_ok(const HangarServer& server,
                                   const std::vector<std::string>& args);

// Seconds from `since` until `took_effect()` first held (looked at every 20 ms); nullopt when it
// did not within `give_up`. Waiting past the contract tells "late" apart from "never".
std::optional<double> seconds_until(const std::function<bool()>& took_effect,
                                    SteadyClock::time_point since,
                                    std::chrono::milliseconds give_up = std::chrono::seconds(15));

// Fails the test unless `took` is set and within follow_contract + follow_margin; reports the
// measured time either way.
void check_followed(const std::optional<double>& took, const std::string& what);

}  // namespace hangar::test
