#pragma once
// An event-based actor whose heap is metered: everything allocated while it handles messages
// (its behaviour function, handlers, state growth, messages it sends, timers it arms) is
// charged to its MemoryMeter. Use it as the base of a function-based stateful actor, typed or
// not:
//
//   using ChatSelf = caf::stateful_actor<ChatState, Metered<ChatImpl::base>>;
//   ChatImpl::behavior_type chat_actor(ChatSelf* self, ChatArgs args) {
//     self->meter(args.meter);  // first thing: the rest of this call is charged to it
//     ...
//
// CAF runs the behaviour function inside the actor's first resume(), so attaching the meter
// there covers it. What runs outside resume() is not charged to the actor: the actor object and
// its State's constructor are charged to the spawner (they are built on the spawner's thread).
#include <memory>
#include <utility>

#include <caf/event_based_actor.hpp>
#include <caf/resumable.hpp>

#include "platform/memory/memory_meter.hpp"

namespace hangar::actors {

template <class Base>
class Metered : public Base {
 public:
  using Base::Base;

  // Attaches the meter; call it from inside the actor (its behaviour function or a handler),
  // since it also switches the current meter of the running resume().
  void meter(std::shared_ptr<MemoryMeter> meter) {
    meter_ = std::move(meter);
    MeterScope::replace_current(meter_.get());
  }
  const std::shared_ptr<MemoryMeter>& meter() const { return meter_; }

  // CAF's one remaining hook around message handling (profiler hooks are compiled out of
  // Debian's build): every batch of messages runs with this actor's meter current.
  caf::resumable::resume_result resume(caf::execution_unit* unit, size_t max_throughput) override {
    MeterScope scope(meter_.get());
    return Base::resume(unit, max_throughput);
  }

 private:
  std::shared_ptr<MemoryMeter> meter_;
};

// The dynamically typed form, for actors without a protocol of their own (tests).
using MeteredActor = Metered<caf::event_based_actor>;

}  // namespace hangar::actors
