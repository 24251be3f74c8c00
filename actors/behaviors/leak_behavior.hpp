#pragma once
// `leak:SIZE`: replies like echo, and keeps SIZE bytes per update in its chat actor's memory,
// never saved and never freed until the chat actor ends. It exists to show and test the
// supervisor.
#include <cstddef>
#include <memory>
#include <vector>

#include "actors/behaviors/behavior.hpp"

namespace hangar::actors::behaviors {

class LeakBehavior final : public Behavior {
 public:
  explicit LeakBehavior(std::size_t bytes_per_update) : bytes_per_update_(bytes_per_update) {}
  Reaction on_update(const telegram::Update& update, std::string& state) override;

 private:
  std::size_t bytes_per_update_;
  std::vector<std::unique_ptr<char[]>> kept_;
};

}  // namespace hangar::actors::behaviors
