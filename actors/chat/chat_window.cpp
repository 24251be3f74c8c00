#include "actors/chat/chat_window.hpp"

#include <algorithm>

namespace hangar::actors {

void ChatWindow::offer(ChatUpdate update) {
  auto newest = queue_.empty() ? last_taken_ : queue_.back().seq;
  if (update.seq <= newest) return;  // seen already
  if (spilled_ || queue_.size() >= capacity_) {
    spilled_ = true;
    if (fetching_) newest_dropped_ = std::max(newest_dropped_, update.seq);
    return;
  }
  queue_.push_back(std::move(update));
}

ChatUpdate ChatWindow::take() {
  auto update = std::move(queue_.front());
  queue_.pop_front();
  last_taken_ = update.seq;
  return update;
}

void ChatWindow::begin_fetch() {
  fetching_ = true;
  newest_dropped_ = 0;
}

void ChatWindow::end_fetch(std::vector<ChatUpdate> fetched) {
  fetching_ = false;
  bool full = fetched.size() >= capacity_;
  for (auto& update : fetched) {
    auto newest = queue_.empty() ? last_taken_ : queue_.back().seq;
    if (update.seq > newest) queue_.push_back(std::move(update));
  }
  // An arrival dropped during the fetch was committed before it was routed, but perhaps after
  // the fetch read the inbox; the inbox commits in seq order, so if the fetch saw it, it
  // saw everything before it too.
  auto newest = queue_.empty() ? last_taken_ : queue_.back().seq;
  spilled_ = full || newest_dropped_ > newest;
}

}  // namespace hangar::actors
