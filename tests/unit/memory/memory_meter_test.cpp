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

#include "platform/memory/memory_meter.hpp"

using hangar::MemoryMeter;
using hangar::MeterScope;
using namespace std::chrono_literals;

#if HANGAR_METERING

namespace {

constexpr std::uint64_t header_bytes = 16;
// The compiler may drop a new/delete pair whose block is never used; this makes it used.
template <class T>
T* opaque(T* block) {
  asm volatile("" : : "r"(block) : "memory");
  return block;
}

}  // namespace

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
