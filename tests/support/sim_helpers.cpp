#include "tests/support/sim_helpers.hpp"

#include <stdexcept>

#include "tests/support/wait_until.hpp"

namespace hangar::test {

std::string test_token(int i) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  std::string secret;
  unsigned state = static_cast<unsigned>(i) * 2654435761u + 12345u;
  for (int k = 0; k < 35; ++k) {
    state = state * 1103515245u + 12345u;
    secret += alphabet[(state >> 16) % 64];
  }
  return std::to_string(100000 + i) + ":" + secret;
}

std::vector<std::string> sent_texts(const sim::Simulator& sim, const std::string& token,
                                    std::int64_t chat_id) {
  std::vector<std::string> texts;
  for (const auto& message : sim.sent(token, chat_id))
    if (message.method == "sendMessage") texts.push_back(message.text);
  return texts;
}

std::size_t sent_count(const sim::Simulator& sim, const std::string& token) {
  return sim.counters(token).sent;
}

void inject(sim::Simulator& sim, const std::string& token, std::int64_t chat_id,
            const std::string& text) {
  if (!sim.inject_message(token, chat_id, text))
    throw std::runtime_error("simulator refused a message for chat " + std::to_string(chat_id));
}

bool wait_for_sent(const sim::Simulator& sim, const std::string& token, std::int64_t chat_id,
                   std::size_t count, std::chrono::milliseconds timeout) {
  return wait_until([&] { return sent_texts(sim, token, chat_id).size() >= count; }, timeout);
}

bool wait_for_polls(const sim::Simulator& sim, const std::string& token, std::uint64_t count,
                    std::chrono::milliseconds timeout) {
  return wait_until([&] { return sim.counters(token).get_updates >= count; }, timeout, 20ms);
}

long counter_value(const std::string& reply) {
  if (reply.size() < 2 || reply[0] != '#') return -1;
  std::size_t end = 1;
  while (end < reply.size() && reply[end] >= '0' && reply[end] <= '9') ++end;
  if (end == 1 || end >= reply.size() || reply[end] != ' ') return -1;
  return std::stol(reply.substr(1, end - 1));
}

}  // namespace hangar::test
