#include <catch2/catch.hpp>

#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <caf/all.hpp>

#include "actors/metered_actor.hpp"
#include "platform/memory_meter.hpp"
#include "tests/support/wait_until.hpp"

using hangar::MemoryMeter;
using hangar::MeterScope;
using hangar::actors::MeteredActor;
using hangar::test::wait_until;
using namespace std::chrono_literals;

#if HANGAR_METERING

namespace {

constexpr std::uint64_t header_bytes = 16;
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

// The compiler may drop a new/delete pair whose block is never used; this makes it used.
template <class T>
T* opaque(T* block) {
  asm volatile("" : : "r"(block) : "memory");
  return block;
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

TEST_CASE("bytes charged on one thread are credited when freed on another") {
  auto meter = MemoryMeter::create();
  auto process_before = MemoryMeter::metered_bytes();
  constexpr std::size_t bytes = 100000;

  std::promise<char*> allocated;
  std::thread allocator([&] {
    MeterScope scope(meter.get());
    allocated.set_value(new char[bytes]);
  });
  char* block = allocated.get_future().get();
  allocator.join();
  CHECK(meter->live_bytes() == bytes + header_bytes);
  CHECK(MemoryMeter::metered_bytes() - process_before == bytes + header_bytes);

  std::thread([block] { delete[] block; }).join();
  CHECK(meter->live_bytes() == 0);
  CHECK(MemoryMeter::metered_bytes() == process_before);
}

TEST_CASE("a handler wrapped with_meter charges what it allocates on the io thread") {
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });
  auto meter = MemoryMeter::create();
  std::promise<std::string*> allocated;
  boost::asio::post(
      io, hangar::with_meter(meter, [&] { allocated.set_value(new std::string(5000, 'b')); }));
  auto* buffer = allocated.get_future().get();
  CHECK(meter->live_bytes() >= 5000);

  std::thread([buffer] { delete buffer; }).join();
  guard.reset();
  io_thread.join();
  CHECK(meter->live_bytes() == 0);
}

TEST_CASE("a child meter's bytes roll up into its parent's total") {
  auto bot = MemoryMeter::create();
  auto chat = MemoryMeter::create(bot);
  auto grandchild = MemoryMeter::create(chat);
  std::vector<char> held;
  {
    MeterScope scope(grandchild.get());
    held.resize(1000);
  }
  CHECK(grandchild->live_bytes() == 1000 + header_bytes);
  CHECK(chat->live_bytes() == 0);
  CHECK(chat->total_bytes() == 1000 + header_bytes);
  CHECK(bot->total_bytes() == 1000 + header_bytes);
  std::vector<char>().swap(held);
  CHECK(bot->total_bytes() == 0);

  SECTION("with chat actors") {
    caf::actor_system_config config;
    caf::actor_system system{config};
    caf::scoped_actor self{system};
    auto other_chat = MemoryMeter::create(bot);
    auto a = system.spawn(keeper, chat);
    auto b = system.spawn(keeper, other_chat);
    ask<std::uint64_t>(self, a, keep_atom::value, std::uint64_t{1} << 20);
    ask<std::uint64_t>(self, b, keep_atom::value, std::uint64_t{2} << 20);
    CHECK(bot->total_bytes() >= std::uint64_t{3} << 20);
    CHECK(bot->total_bytes() ==
          bot->live_bytes() + chat->total_bytes() + other_chat->total_bytes());
    CHECK(bot->live_bytes() == 0);
    end_and_wait(self, a);
    end_and_wait(self, b);
    CHECK(wait_until([&] { return bot->total_bytes() <= 2 * slack; }, 5s, 1ms));
  }
}

TEST_CASE("a meter outlives its owner until the last block charged to it is freed") {
  auto objects_before = MemoryMeter::meter_objects();

  SECTION("a block freed after the owner let go") {
    auto parent = MemoryMeter::create();
    auto meter = MemoryMeter::create(parent);
    auto* block = [&] {
      MeterScope scope(meter.get());
      return opaque(new std::uint64_t[8]);
    }();
    meter.reset();
    parent.reset();
    CHECK(MemoryMeter::meter_objects() == objects_before + 2);  // the block keeps both
    delete[] block;
    CHECK(MemoryMeter::meter_objects() == objects_before);
  }

  SECTION("a reply that outlives the actor that allocated it") {
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

  SECTION("the owner's release racing the last free on another thread") {
    for (int round = 0; round < 500; ++round) {
      auto meter = MemoryMeter::create();
      auto* block = [&] {
        MeterScope scope(meter.get());
        return new char[64];
      }();
      std::thread freer([block] { delete[] block; });
      meter.reset();
      freer.join();
    }
    CHECK(MemoryMeter::meter_objects() == objects_before);
  }
}

TEST_CASE("over-aligned, nothrow and array blocks are charged exactly") {
  struct alignas(64) Line {
    char bytes[100];
  };
  struct alignas(4096) Page {
    char bytes[10];
  };
  auto meter = MemoryMeter::create();
  MeterScope scope(meter.get());

  auto* line = new Line;
  CHECK(reinterpret_cast<std::uintptr_t>(line) % 64 == 0);
  CHECK(meter->live_bytes() == sizeof(Line) + 64);
  auto* pages = new Page[3];
  CHECK(reinterpret_cast<std::uintptr_t>(pages) % 4096 == 0);
  CHECK(meter->live_bytes() == sizeof(Line) + 64 + 3 * sizeof(Page) + 4096);
  auto* bytes = new (std::nothrow) char[10];
  CHECK(meter->live_bytes() == sizeof(Line) + 64 + 3 * sizeof(Page) + 4096 + 10 + header_bytes);

  delete line;
  delete[] pages;
  delete[] bytes;
  CHECK(meter->live_bytes() == 0);
}

TEST_CASE("the charge that crosses a budget records when it did") {
  auto bot = MemoryMeter::create(nullptr, 10000);
  auto chat = MemoryMeter::create(bot, 1 << 20);
  MeterScope scope(chat.get());
  std::vector<char> below(5000);
  CHECK_FALSE(bot->over_budget_since());

  auto before = MemoryMeter::Clock::now();
  std::vector<char> crossing(6000);
  auto after = MemoryMeter::Clock::now();
  auto since = bot->over_budget_since();
  REQUIRE(since);
  CHECK(*since >= before);
  CHECK(*since <= after);
  CHECK_FALSE(chat->over_budget_since());  // the chat is within its own budget

  std::vector<char> more(1000);
  CHECK(*bot->over_budget_since() == *since);  // the first crossing counts
  bot->set_budget(1 << 20);
  CHECK_FALSE(bot->over_budget_since());
}

#else

TEST_CASE("with metering off, meters read 0") {
  auto meter = MemoryMeter::create();
  MeterScope scope(meter.get());
  std::vector<char> held(1 << 20);
  CHECK(meter->live_bytes() == 0);
  CHECK(MemoryMeter::metered_bytes() == 0);
}

#endif
