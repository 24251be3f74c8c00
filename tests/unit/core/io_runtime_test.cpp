// IoRuntime::finish, the last step of serve's shutdown: the io threads run what was posted before
// it (the sessions' closes), so its handlers release what they hold, and a timer that would keep
// them busy is cut off at the deadline.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "platform/core/io_runtime.hpp"

using namespace std::chrono_literals;

TEST_CASE("finish runs the handlers already posted and their follow-ups, then returns") {
  hangar::IoRuntime io;
  std::atomic<int> ran{0};
  auto held = std::make_shared<int>(7);
  std::weak_ptr<int> watch = held;
  boost::asio::post(io.context(), [&io, &ran, held = std::move(held)] {
    ++ran;
    boost::asio::post(io.context(), [&ran] { ++ran; });
  });

  const auto started = std::chrono::steady_clock::now();
  CHECK(io.finish(5s));
  CHECK(std::chrono::steady_clock::now() - started < 2s);
  CHECK(ran == 2);
  CHECK(watch.expired());  // the handler ran and let go of what it captured
}

TEST_CASE("finish stops at the deadline when a timer keeps the io threads busy") {
  hangar::IoRuntime io;
  boost::asio::steady_timer timer(io.context(), 1h);
  bool fired = false;
  timer.async_wait([&fired](boost::system::error_code) { fired = true; });

  const auto started = std::chrono::steady_clock::now();
  CHECK_FALSE(io.finish(100ms));
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(took >= 100ms);
  CHECK(took < 5s);
  CHECK_FALSE(fired);
}
