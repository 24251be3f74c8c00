#pragma once
// `counter`: replies `#N text`, N counting this chat's messages. N is the chat's durable state.
#include "actors/behaviors/behavior.hpp"

namespace hangar::actors::behaviors {

class CounterBehavior final : public Behavior {
 public:
  Reaction on_update(const telegram::Update& update, std::string& state) override;
};

}  // namespace hangar::actors::behaviors
