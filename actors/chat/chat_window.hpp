#pragma once
// The updates a chat actor holds in memory: a bounded window over the oldest of its chat's
// unhandled updates in the inbox. The window always holds a contiguous run, so order is kept:
// when it overflows, or when it cannot know what the inbox holds, it "spills" and drops new
// arrivals, which stay safe in the inbox, and fetches them again once the window has drained.
// A backlog therefore costs disk, not heap.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "actors/chat/chat_protocol.hpp"
#include "platform/core/bounds.hpp"

namespace hangar::actors {

class ChatWindow {
 public:
  // Updates held in memory per chat; beyond it they wait in the inbox.
  explicit ChatWindow(std::size_t capacity = bounds::updates_held_per_chat) : capacity_(capacity) {}

  // An update the bot routed here; it is already durable in the inbox.
  void offer(ChatUpdate update);

  bool has_next() const { return !queue_.empty(); }
  ChatUpdate take();  // the oldest, in inbox order
  std::int64_t last_taken() const { return last_taken_; }

  // True when memory is empty but the inbox may hold more of this chat's updates.
  bool needs_fetch() const { return spilled_ && queue_.empty() && !fetching_; }
  void begin_fetch();
  // What the inbox returned for "after last_taken(), at most capacity()".
  void end_fetch(std::vector<ChatUpdate> fetched);
  // The fetch read nothing; the next needs_fetch() asks again.
  void fetch_failed() { fetching_ = false; }
  std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  std::deque<ChatUpdate> queue_;
  std::int64_t last_taken_ = 0;
  bool spilled_ = true;  // a new chat actor does not know the inbox yet
  bool fetching_ = false;
  std::int64_t newest_dropped_ = 0;  // the newest arrival dropped while a fetch ran
};

}  // namespace hangar::actors
