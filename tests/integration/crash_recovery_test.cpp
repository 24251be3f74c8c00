// Acceptance, Crash: `serve` is SIGKILLed while counter bots are under traffic and started again
// on the same database. No message goes unanswered, no chat's count goes backwards, and
// duplicates stay within the README's bound: at most one per chat that was mid-update at each
// crash.
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/polling_bots.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;

namespace {

constexpr int bot_count = 4;
constexpr int chats_per_bot = 5;
constexpr std::int64_t first_chat = 100;
constexpr std::size_t crashes = 2;  // the second also hits a serve that is replaying its inbox

// Users writing "m1", "m2", ... in every chat, round robin, from a thread of its own, so traffic
// keeps arriving while serve is down and comes back.
class Users {
 public:
  Users(hangar::sim::Simulator& sim, std::vector<std::string> tokens)
      : sim_(sim), tokens_(std::move(tokens)), thread_([this] { run(); }) {}
  ~Users() { stop(); }

  void stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
  }
  // Messages written so far in the chat (valid after stop()).
  int written(int bot, int chat) const { return written_.at({bot, chat}); }

 private:
  void run() {
    while (running_) {
      for (int b = 0; b < bot_count; ++b)
        for (int c = 0; c < chats_per_bot; ++c) {
          int& count = written_[{b, c}];
          inject(sim_, tokens_[b], first_chat + c, "m" + std::to_string(count + 1));
          ++count;
        }
      std::this_thread::sleep_for(20ms);  // about 1000 messages/s in all: work is in flight
    }
  }

  hangar::sim::Simulator& sim_;
  std::vector<std::string> tokens_;
  std::map<std::pair<int, int>, int> written_;
  std::atomic<bool> running_{true};
  std::thread thread_;
};

struct ChatReplies {
  std::size_t replies = 0;
  std::set<std::string> distinct;
  std::vector<std::string> problems;
};

// Checks each reply is "#k mk": a message's count is its position in the chat, whether the
// reply came before the crash, after it, or twice.
ChatReplies check_chat(const std::vector<std::string>& texts) {
  ChatReplies result;
  auto problem = [&](std::string text) {
    if (result.problems.size() < 5) result.problems.push_back(std::move(text));
  };
  long previous = 0;
  for (const auto& text : texts) {
    ++result.replies;
    result.distinct.insert(text);
    long n = counter_value(text);
    std::string message = n < 0 ? "" : text.substr(text.find(' ') + 1);
    if (n < 0 || message != "m" + std::to_string(n)) problem("unexpected reply \"" + text + "\"");
    if (n < previous)
      problem("count went back from " + std::to_string(previous) + " to " + std::to_string(n));
    previous = std::max(previous, n);
  }
  return result;
}

}  // namespace

TEST_CASE("SIGKILL under traffic loses no message and never rewinds a count") {
  hangar::sim::Simulator sim;
  TempDir dir;
  HangarServer server(dir, sim.base_url());
  const std::vector<std::string> tokens =
      start_polling_bots(server, sim, bot_count, "crash", "counter");

  Users users(sim, tokens);
  for (std::size_t crash = 0; crash < crashes; ++crash) {
    const auto replies_before = sent_count(sim, tokens[0]);
    REQUIRE(wait_until([&] { return sent_count(sim, tokens[0]) >= replies_before + 100; }, 30s));
    server.kill();
    std::this_thread::sleep_for(300ms);
    server.start();
  }
  const auto replies_after_restart = sent_count(sim, tokens[0]);
  REQUIRE(
      wait_until([&] { return sent_count(sim, tokens[0]) >= replies_after_restart + 100; }, 30s));
  users.stop();

  auto all_answered = [&] {
    for (int b = 0; b < bot_count; ++b)
      for (int c = 0; c < chats_per_bot; ++c)
        if (check_chat(sent_texts(sim, tokens[b], first_chat + c)).distinct.size() <
            static_cast<std::size_t>(users.written(b, c)))
          return false;
    return true;
  };
  CHECK(wait_until(all_answered, 60s, 200ms));
  std::this_thread::sleep_for(1s);  // late duplicates, if any, count too

  for (int b = 0; b < bot_count; ++b) {
    std::size_t bot_duplicates = 0;
    for (int c = 0; c < chats_per_bot; ++c) {
      const auto chat = first_chat + c;
      ChatReplies replies = check_chat(sent_texts(sim, tokens[b], chat));
      INFO("bot " << b << " chat " << chat << ": " << users.written(b, c) << " written, "
                  << replies.distinct.size() << " answered, " << replies.replies << " replies");
      for (const auto& problem : replies.problems) FAIL_CHECK(problem);
      CHECK(replies.distinct.size() == static_cast<std::size_t>(users.written(b, c)));
      // A chat handles one update at a time, so each crash can repeat at most its one reply.
      const std::size_t duplicates = replies.replies - replies.distinct.size();
      CHECK(duplicates <= crashes);
      bot_duplicates += duplicates;
    }
    CHECK(bot_duplicates <= crashes * chats_per_bot);
  }
}
