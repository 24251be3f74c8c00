#pragma once
// What a session tells its owner about each call it finishes, so that calls can be counted by
// method and outcome. The session knows only this interface, not who listens (the bot's live
// figures in platform/status, or a test).
#include <string_view>

#include "platform/botapi/call_result.hpp"

namespace hangar::botapi {

class CallObserver {
 public:
  virtual ~CallObserver() = default;
  // Once per call, with its final outcome, on the session's strand: keep it short.
  virtual void on_call_finished(std::string_view method, Outcome outcome) noexcept = 0;
};

}  // namespace hangar::botapi
