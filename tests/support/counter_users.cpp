#include "tests/support/counter_users.hpp"

#include <algorithm>

#include <catch2/catch.hpp>

#include "tests/support/sim_helpers.hpp"

namespace hangar::test {

CounterUsers::CounterUsers(sim::Simulator& sim, std::vector<std::string> tokens,
                           CounterTraffic traffic)
    : sim_(sim), tokens_(std::move(tokens)), traffic_(traffic), thread_([this] { run(); }) {}

CounterUsers::~CounterUsers() {
  stop();
}

void CounterUsers::stop() {
  running_ = false;
  if (thread_.joinable()) thread_.join();
}

void CounterUsers::run() {
  const int bots = static_cast<int>(tokens_.size());
  while (running_) {
    for (int b = 0; b < bots; ++b)
      for (int c = 0; c < traffic_.chats_per_bot; ++c) {
        int& count = written_[{b, c}];
        inject(sim_, tokens_[b], chat_id(c), "m" + std::to_string(count + 1));
        ++count;
      }
    std::this_thread::sleep_for(traffic_.pause);
  }
}

// Each reply must be "#k mk": a message's count is its position in the chat, whichever run of
// serve answered it, and however often.
ChatReplies CounterUsers::replies(int bot, int chat) const {
  ChatReplies result;
  auto problem = [&](std::string text) {
    if (result.problems.size() < 5) result.problems.push_back(std::move(text));
  };
  long previous = 0;
  for (const auto& text : sent_texts(sim_, tokens_[bot], chat_id(chat))) {
    ++result.replies;
    result.distinct.insert(text);
    const long n = counter_value(text);
    const std::string message = n < 0 ? "" : text.substr(text.find(' ') + 1);
    if (n < 0 || message != "m" + std::to_string(n)) problem("unexpected reply \"" + text + "\"");
    if (n < previous)
      problem("count went back from " + std::to_string(previous) + " to " + std::to_string(n));
    previous = std::max(previous, n);
  }
  return result;
}

bool CounterUsers::all_answered() const {
  for (int b = 0; b < static_cast<int>(tokens_.size()); ++b)
    for (int c = 0; c < traffic_.chats_per_bot; ++c)
      if (replies(b, c).distinct.size() < static_cast<std::size_t>(written(b, c))) return false;
  return true;
}

std::size_t CounterUsers::check_replies(std::size_t max_duplicates) const {
  std::size_t duplicates = 0;
  for (int b = 0; b < static_cast<int>(tokens_.size()); ++b)
    for (int c = 0; c < traffic_.chats_per_bot; ++c) {
      const ChatReplies chat = replies(b, c);
      INFO("bot " << b << " chat " << chat_id(c) << ": " << written(b, c) << " written, "
                  << chat.distinct.size() << " answered, " << chat.replies << " replies");
      for (const auto& problem : chat.problems) FAIL_CHECK(problem);
      CHECK(chat.distinct.size() == static_cast<std::size_t>(written(b, c)));
      CHECK(chat.duplicates() <= max_duplicates);
      duplicates += chat.duplicates();
    }
  return duplicates;
}

}  // namespace hangar::test
