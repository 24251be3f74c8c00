#pragma once
// Shared steps for tests that play users against the in-process simulator.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/simulator.hpp"

namespace hangar::test {

// A well-formed, distinct Bot API token: "<100000+i>:" and 35 characters of [A-Za-z0-9_-].
std::string test_token(int i);

// The texts a bot sent to one chat with sendMessage, in the order the simulator received them.
std::vector<std::string> sent_texts(const sim::Simulator& sim, const std::string& token,
                                    std::int64_t chat_id);
std::size_t sent_count(const sim::Simulator& sim, const std::string& token);

// Injects a message and fails the test when the simulator refuses it (queue full).
void inject(sim::Simulator& sim, const std::string& token, std::int64_t chat_id,
            const std::string& text);

// Waits until the bot sent at least `count` messages to the chat; returns whether it did.
bool wait_for_sent(const sim::Simulator& sim, const std::string& token, std::int64_t chat_id,
                   std::size_t count, std::chrono::milliseconds timeout);

// Waits until `token` has called getUpdates at least `count` times.
bool wait_for_polls(const sim::Simulator& sim, const std::string& token, std::uint64_t count,
                    std::chrono::milliseconds timeout);

// "#12 hello" -> 12; -1 when the text is not in the counter behaviour's form.
long counter_value(const std::string& reply);

}  // namespace hangar::test
