#pragma once
// The process's Asio event loop: one io_context run by a fixed number of threads, kept alive
// by a work guard until finish() or stop(). Network I/O of every bot session and the HTTP server
// runs here, never on a CAF scheduler thread.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace hangar {

class IoRuntime {
 public:
  explicit IoRuntime(unsigned threads = 1);
  ~IoRuntime();  // stops and joins
  IoRuntime(const IoRuntime&) = delete;
  IoRuntime& operator=(const IoRuntime&) = delete;

  boost::asio::io_context& context() { return context_; }
  // Lets the threads run until nothing is left to do (every socket closed, every timer done),
  // then joins them; past `deadline`, stops them as stop() does. Returns whether everything ran.
  // Handlers that run release what they hold; handlers that a stop leaves behind are only
  // destroyed with the io_context, and a cycle through one of them would never be freed.
  bool finish(std::chrono::milliseconds deadline);
  void stop();

 private:
  boost::asio::io_context context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable returned_;
  unsigned running_ = 0;  // threads still inside run()
};

}  // namespace hangar
