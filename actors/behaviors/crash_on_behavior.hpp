#pragma once
// `crash-on:TEXT`, a test behaviour: replies like echo, but a text message that is exactly TEXT
// throws, which crashes its chat actor. Shows the crash path: restart, then dead letter.
#include <string>

#include "actors/behaviors/behavior.hpp"

namespace hangar::actors::behaviors {

class CrashOnBehavior final : public Behavior {
 public:
  explicit CrashOnBehavior(std::string trigger) : trigger_(std::move(trigger)) {}
  Reaction on_update(const telegram::Update& update, std::string& state) override;

 private:
  std::string trigger_;
};

}  // namespace hangar::actors::behaviors
