#pragma once
// What a bot does with an update. A behaviour instance lives in one chat actor (or, for updates
// that belong to no chat, in the bot actor) and dies with it; anything that must survive goes in
// the chat's durable state string, which Hangar saves with the update's handled mark.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/telegram/types.hpp"

namespace hangar::actors {

// One Bot API call the behaviour wants made, such as sendMessage with its parameters.
struct Action {
  std::string method;
  nlohmann::json params;
};

struct Reaction {
  std::vector<Action> actions;
  bool state_changed = false;          // the chat's state string was changed; save it
  std::chrono::milliseconds delay{0};  // wait this long before making the calls
};

class Behavior {
 public:
  virtual ~Behavior() = default;
  // `state` is the chat's durable state ("" for a new chat); change it and say so.
  virtual Reaction on_update(const telegram::Update& update, std::string& state) = 0;
};

// A parsed `--behavior` value such as "echo", "counter" or "leak:64KiB".
struct BehaviorSpec {
  std::string name;
  std::string argument;  // after the colon, "" when none
};

// Returns the spec, or nullopt with `error` set to one line naming the problem.
std::optional<BehaviorSpec> parse_behavior(const std::string& text, std::string* error = nullptr);
// A new instance for one chat. The spec must have come from parse_behavior.
std::unique_ptr<Behavior> make_behavior(const BehaviorSpec& spec);

}  // namespace hangar::actors
