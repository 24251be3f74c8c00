#pragma once
// The process's Asio event loop: one io_context run by a fixed number of threads, kept alive
// by a work guard until stop(). Network I/O of every bot session and the HTTP server runs here,
// never on a CAF scheduler thread.
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
  void stop();

 private:
  boost::asio::io_context context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

}  // namespace hangar
