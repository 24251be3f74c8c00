#pragma once
// Waits on the test's thread for the result of a Session call or poll, which arrives on
// an io thread.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <memory>

#include "platform/botapi/session.hpp"

namespace hangar::test {

class AwaitedResult {
 public:
  AwaitedResult() : future_(promise_->get_future()) {}

  // Pass this as the session's completion handler; it may be called once.
  botapi::ResultHandler handler() const {
    return
        [promise = promise_](botapi::CallResult result) { promise->set_value(std::move(result)); };
  }

  bool ready_within(std::chrono::milliseconds wait) const {
    return future_.wait_for(wait) == std::future_status::ready;
  }

  // Generous by default: a loaded CI machine is slow, and a hang should still end the test.
  botapi::CallResult get(std::chrono::seconds wait = std::chrono::seconds(20)) {
    REQUIRE(ready_within(wait));
    return future_.get();
  }

 private:
  std::shared_ptr<std::promise<botapi::CallResult>> promise_ =
      std::make_shared<std::promise<botapi::CallResult>>();
  std::future<botapi::CallResult> future_;
};

}  // namespace hangar::test
