// A bot's meter against what its Session and Outbox run on io threads, over real sockets
// to the simulator: connections, buffers, the response body and the parsed result are charged
// to the bot, and given back once the session has let them go; the outbox's retries run with
// the bot's meter current.
#include <catch2/catch.hpp>

#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "actors/outbox/outbox.hpp"
#include "platform/botapi/endpoint.hpp"
#include "platform/botapi/session.hpp"
#include "platform/core/io_runtime.hpp"
#include "platform/memory/memory_meter.hpp"
#include "platform/status/fleet_status.hpp"
#include "sim/simulator.hpp"
#include "tests/support/awaited_result.hpp"
#include "tests/support/wait_until.hpp"

#if HANGAR_METERING

using namespace std::chrono_literals;
using hangar::MemoryMeter;
using hangar::MeterScope;
using hangar::botapi::CallResult;
using hangar::botapi::Session;
using hangar::sim::Simulator;
using hangar::test::AwaitedResult;
using hangar::test::wait_until;

namespace {

const std::string token = "123456:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ";

// Sixteen updates of 64 KiB of text each: a getUpdates response of a little over 1 MiB.
constexpr std::size_t updates = 16;
constexpr std::size_t text_bytes = 64 * 1024;
constexpr std::uint64_t response_bytes = updates * text_bytes;
// What may stay charged once everything is let go: blocks Asio keeps in its per-thread caches.
constexpr std::uint64_t slack = 4096;

void inject_large_updates(Simulator& sim) {
  for (std::size_t i = 0; i < updates; ++i)
    REQUIRE(sim.inject_message(token, 77, std::string(text_bytes, 'x')));
}

std::shared_ptr<Session> open_session(hangar::IoRuntime& io, const Simulator& sim,
                                      std::shared_ptr<MemoryMeter> meter,
                                      std::shared_ptr<hangar::BotStatus> status = nullptr) {
  hangar::botapi::SessionOptions options;
  options.endpoint = *hangar::botapi::parse_api_url(sim.base_url());
  options.token = token;
  options.meter = std::move(meter);
  options.observer = std::move(status);
  return Session::create(io.context(), std::move(options));
}

// The updates waiting, as the ResultHandler handed them over on an io thread.
CallResult poll_updates(Session& session) {
  AwaitedResult poll;
  session.poll({{"timeout", 0}, {"limit", 100}}, 20s, poll.handler());
  return poll.get();
}

}  // namespace

TEST_CASE("a response read on an io thread is charged to the session's meter", "[metering]") {
  Simulator sim;
  inject_large_updates(sim);
  hangar::IoRuntime io{2};
  auto bot = MemoryMeter::create();
  // The parsed result, with the JSON parser's scratch, stays well under this (about 1.2 times the
  // response). Past it, the body it was parsed from, live at the same time, was charged too.
  bot->set_budget(response_bytes * 8 / 5);
  // The test thread stands for the actor that uses the session, with a meter of its own.
  auto caller = MemoryMeter::create();
  MeterScope on_caller(caller.get());

  auto session = open_session(io, sim, bot);
  CHECK(bot->live_bytes() == 0);  // made on the caller's thread: the caller's
  {
    CallResult held = poll_updates(*session);
    REQUIRE(held.ok());
    REQUIRE(held.result.size() == updates);
    CHECK(bot->live_bytes() >= response_bytes);
    CHECK(bot->over_budget_since().has_value());
    CHECK(caller->live_bytes() < response_bytes / 8);
  }
  session->close();
  session.reset();
  CHECK(wait_until([&] { return bot->live_bytes() < slack; }, 20s));
}

TEST_CASE("a session without a meter charges nothing to its caller's", "[metering]") {
  Simulator sim;
  inject_large_updates(sim);
  hangar::IoRuntime io{2};
  auto caller = MemoryMeter::create();
  MeterScope on_caller(caller.get());

  auto session = open_session(io, sim, nullptr);
  const auto before = caller->live_bytes();
  CallResult held = poll_updates(*session);
  REQUIRE(held.ok());
  REQUIRE(held.result.size() == updates);
  CHECK(caller->live_bytes() < before + slack);
  session->close();
}

// A call that waits (paused by a 429, or for its retry after a 500) ends with "outbox closed"
// when the outbox closes, charged to the outbox's meter like everything else it runs.
TEST_CASE("an outbox's waiting call ends with the outbox's meter current", "[metering]") {
  hangar::sim::SimOptions sim_options;
  hangar::sim::Faults faults;
  SECTION("paused by a 429") {
    sim_options.max_bots = 0;  // every call: 429, retry after 60 s
  }
  SECTION("waiting for its retry after a 500") {
    faults.server_error = true;
  }
  Simulator sim(sim_options);
  sim.set_faults(token, faults);
  hangar::IoRuntime io{2};
  auto status = std::make_shared<hangar::BotStatus>(1, "sim");
  auto session = open_session(io, sim, nullptr, status);
  auto bot = MemoryMeter::create();
  auto outbox =
      std::make_shared<hangar::actors::Outbox>(io.context(), session, hangar::Settings{}, bot);

  // The final result, and the meter current while it was handed over (on an io thread).
  auto finished = std::make_shared<std::promise<std::pair<std::string, MemoryMeter*>>>();
  outbox->send({"sendMessage", {{"chat_id", 77}, {"text", "hi"}}}, [finished](CallResult result) {
    finished->set_value({result.description, MemoryMeter::current()});
  });
  // Once the refusal is counted, its handler is about to make the call wait.
  REQUIRE(wait_until([&] {
    return status->api_requests(hangar::ApiMethod::sendMessage,
                                hangar::botapi::Outcome::api_error) == 1;
  }));
  std::this_thread::sleep_for(200ms);
  outbox->close();
  auto result = finished->get_future();
  REQUIRE(result.wait_for(20s) == std::future_status::ready);
  auto [description, meter] = result.get();
  CHECK(description == "outbox closed");
  CHECK(meter == bot.get());
  session->close();
}

#endif
