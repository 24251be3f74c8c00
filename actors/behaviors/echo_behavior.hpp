#pragma once
// `echo`: replies to each text message with the same text.
#include "actors/behaviors/behavior.hpp"

namespace hangar::actors::behaviors {

class EchoBehavior final : public Behavior {
 public:
  Reaction on_update(const telegram::Update& update, std::string& state) override;
};

}  // namespace hangar::actors::behaviors
