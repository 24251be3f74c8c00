// MeteredActor: an actor's heap, as its meter sees it while CAF runs it.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/common/metered_actor.hpp"
#include "platform/memory/memory_meter.hpp"
#include "tests/support/wait_until.hpp"

using hangar::MemoryMeter;
using hangar::actors::MeteredActor;
using hangar::test::wait_until;
using namespace std::chrono_literals;

#if HANGAR_METERING

namespace {

constexpr std::uint64_t slack = 4096;

using keep_atom = caf::atom_constant<caf::atom("keep")>;
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using payload_atom = caf::atom_constant<caf::atom("payload")>;

struct KeeperState {
  std::vector<char> kept;
};
using Keeper = caf::stateful_actor<KeeperState, MeteredActor>;

// Keeps as many bytes in its state as it is told (0 frees them), and answers with that size.
caf::behavior keeper(Keeper* self, std::shared_ptr<MemoryMeter> meter) {
  self->meter(std::move(meter));
  return {
      [=](keep_atom, std::uint64_t bytes) {
        std::vector<char>(bytes, 'k').swap(self->state.kept);
        return bytes;
      },
      [=](ping_atom) { return std::uint64_t{self->state.kept.size()}; },
      // A reply allocated here, so it is charged to this actor and outlives it in the asker.
      [=](payload_atom, std::uint64_t bytes) { return std::string(bytes, 'p'); },
  };
}

template <class Result, class... Ts>
Result ask(caf::scoped_actor& self, const caf::actor& whom, Ts... xs) {
  Result result{};
  self->request(whom, caf::infinite, xs...)
      .receive([&](Result& answer) { result = std::move(answer); },
               [&](caf::error& error) { FAIL(self->system().render(error)); });
  return result;
}

void end_and_wait(caf::scoped_actor& self, caf::actor& whom) {
  self->monitor(whom);
  self->send_exit(whom, caf::exit_reason::user_shutdown);
  self->receive([](caf::down_msg&) {});
  whom = nullptr;
}

std::uint64_t distance(std::uint64_t a, std::uint64_t b) {
  return a > b ? a - b : b - a;
}

}  // namespace

TEST_CASE("an actor's meter reports the bytes its state keeps, and gives them back") {
  auto kept = GENERATE(std::uint64_t{1} << 10, std::uint64_t{64} << 10, std::uint64_t{1} << 20,
                       std::uint64_t{10} << 20);
  caf::actor_system_config config;
  caf::actor_system system{config};
  caf::scoped_actor self{system};
  auto meter = MemoryMeter::create();
  auto actor = system.spawn(keeper, meter);
  ask<std::uint64_t>(self, actor, ping_atom::value);
  auto baseline = meter->live_bytes();

  ask<std::uint64_t>(self, actor, keep_atom::value, kept);
  auto reported = meter->live_bytes();
  CHECK(reported >= kept);
  CHECK(reported <= kept + slack + kept / 100);

  ask<std::uint64_t>(self, actor, keep_atom::value, std::uint64_t{0});
  CHECK(distance(meter->live_bytes(), baseline) <= slack);

  ask<std::uint64_t>(self, actor, keep_atom::value, kept);
  end_and_wait(self, actor);
  CHECK(wait_until([&] { return distance(meter->live_bytes(), baseline) <= slack; }, 5s, 1ms));
}

TEST_CASE("chat actors' bytes roll up into their bot's meter") {
  auto bot = MemoryMeter::create();
  auto chat = MemoryMeter::create(bot);
  caf::actor_system_config config;
  caf::actor_system system{config};
  caf::scoped_actor self{system};
  auto other_chat = MemoryMeter::create(bot);
  auto a = system.spawn(keeper, chat);
  auto b = system.spawn(keeper, other_chat);
  ask<std::uint64_t>(self, a, keep_atom::value, std::uint64_t{1} << 20);
  ask<std::uint64_t>(self, b, keep_atom::value, std::uint64_t{2} << 20);
  CHECK(bot->total_bytes() >= std::uint64_t{3} << 20);
  CHECK(bot->total_bytes() == bot->live_bytes() + chat->total_bytes() + other_chat->total_bytes());
  CHECK(bot->live_bytes() == 0);
  end_and_wait(self, a);
  end_and_wait(self, b);
  CHECK(wait_until([&] { return bot->total_bytes() <= 2 * slack; }, 5s, 1ms));
}

TEST_CASE("a reply outlives the actor that allocated it, and keeps its meter until freed") {
  auto objects_before = MemoryMeter::meter_objects();
  std::string reply;
  {
    caf::actor_system_config config;
    caf::actor_system system{config};
    caf::scoped_actor self{system};
    auto meter = MemoryMeter::create();
    auto actor = system.spawn(keeper, meter);
    reply = ask<std::string>(self, actor, payload_atom::value, std::uint64_t{1} << 16);
    CHECK(meter->live_bytes() >= reply.size());
    end_and_wait(self, actor);
  }  // the actor system is gone, and with it the actor and every owner of the meter
  CHECK(MemoryMeter::meter_objects() == objects_before + 1);
  std::string().swap(reply);
  CHECK(MemoryMeter::meter_objects() == objects_before);
}

#endif
