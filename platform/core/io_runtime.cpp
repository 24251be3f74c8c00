#include "platform/core/io_runtime.hpp"

namespace hangar {

IoRuntime::IoRuntime(unsigned threads)
    : context_(static_cast<int>(threads)),
      guard_(boost::asio::make_work_guard(context_)),
      running_(threads) {
  for (unsigned i = 0; i < threads; ++i)
    threads_.emplace_back([this] {
      context_.run();
      std::lock_guard<std::mutex> lock(mutex_);
      --running_;
      returned_.notify_all();
    });
}

IoRuntime::~IoRuntime() {
  stop();
}

bool IoRuntime::finish(std::chrono::milliseconds deadline) {
  guard_.reset();
  bool finished = false;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    finished = returned_.wait_for(lock, deadline, [this] { return running_ == 0; });
  }
  stop();
  return finished;
}

void IoRuntime::stop() {
  guard_.reset();
  context_.stop();
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

}  // namespace hangar
