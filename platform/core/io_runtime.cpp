#include "platform/core/io_runtime.hpp"

namespace hangar {

IoRuntime::IoRuntime(unsigned threads)
    : context_(static_cast<int>(threads)), guard_(boost::asio::make_work_guard(context_)) {
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { context_.run(); });
}

IoRuntime::~IoRuntime() {
  stop();
}

void IoRuntime::stop() {
  guard_.reset();
  context_.stop();
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

}  // namespace hangar
