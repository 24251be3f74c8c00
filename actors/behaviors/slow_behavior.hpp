#pragma once
// `slow:DURATION`, a test behaviour: replies like echo, but a text message starting with "slow"
// is answered after DURATION. The chat waits on a timer, so nothing else is held up.
#include <chrono>

#include "actors/behaviors/behavior.hpp"

namespace hangar::actors::behaviors {

class SlowBehavior final : public Behavior {
 public:
  explicit SlowBehavior(std::chrono::milliseconds delay) : delay_(delay) {}
  Reaction on_update(const telegram::Update& update, std::string& state) override;

 private:
  std::chrono::milliseconds delay_;
};

}  // namespace hangar::actors::behaviors
