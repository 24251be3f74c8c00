#pragma once
// Users who write "m1", "m2", ... in every chat of some counter bots, round robin, from a thread
// of their own, so traffic keeps arriving while a test stops, kills or restarts serve; and the
// check of what the bots answered. A counter bot answers "mk" with "#k mk" when its count is
// right, so a lost update, a rewound count or a duplicate shows in the replies.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sim/simulator.hpp"

namespace hangar::test {

struct CounterTraffic {
  int chats_per_bot = 4;
  std::int64_t first_chat = 100;
  std::chrono::milliseconds pause{20};  // after each round of one message per chat
};

// One chat's replies: how many, the distinct ones, and up to five problems (a reply not in the
// form "#k mk", a count that went back).
struct ChatReplies {
  std::size_t replies = 0;
  std::set<std::string> distinct;
  std::vector<std::string> problems;
  std::size_t duplicates() const { return replies - distinct.size(); }
};

class CounterUsers {
 public:
  CounterUsers(sim::Simulator& sim, std::vector<std::string> tokens, CounterTraffic traffic);
  ~CounterUsers();
  CounterUsers(const CounterUsers&) = delete;
  CounterUsers& operator=(const CounterUsers&) = delete;

  void stop();
  // Messages written in the `chat`-th chat of the `bot`-th token (after stop()).
  int written(int bot, int chat) const { return written_.at({bot, chat}); }
  std::int64_t chat_id(int chat) const { return traffic_.first_chat + chat; }
  ChatReplies replies(int bot, int chat) const;
  // Every message written so far has a reply (after stop()).
  bool all_answered() const;
  // Checks every chat, as Catch2 checks: each reply in its form, each message answered, and at
  // most `max_duplicates` replies repeated. Returns the repeated replies of all chats.
  std::size_t check_replies(std::size_t max_duplicates) const;

 private:
  void run();

  sim::Simulator& sim_;
  std::vector<std::string> tokens_;
  CounterTraffic traffic_;
  std::map<std::pair<int, int>, int> written_;
  std::atomic<bool> running_{true};
  std::thread thread_;
};

}  // namespace hangar::test
