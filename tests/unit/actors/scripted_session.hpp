#pragma once
// A Bot API session whose answers the test gives, on the test's thread: the seam that makes
// actor tests deterministic. It stands in for the network only; the integration tests keep
// using sim/ over real sockets. getMe and deleteWebhook are answered at once; every other call
// is answered at once too unless the test holds calls, and a poll waits for deliver(). An answer
// scripted for a method goes, once, to its next call (or poll) instead.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/botapi/session.hpp"

namespace hangar::test {

class ScriptedSession final : public botapi::Session {
 public:
  struct Call {
    std::string method;
    nlohmann::json params;
    botapi::ResultHandler done;
  };
  // A call as the session finished it.
  struct Finished {
    std::string method;
    nlohmann::json params;
    bool ok = false;
    bool cancelled = false;
  };

  explicit ScriptedSession(botapi::SessionOptions options) : options_(std::move(options)) {}

  // A successful answer carrying `result`.
  static botapi::CallResult ok_result(nlohmann::json result = true);

  void call(std::string method, nlohmann::json params, std::chrono::milliseconds timeout,
            botapi::ResultHandler done) override;
  void poll(nlohmann::json params, std::chrono::milliseconds timeout,
            botapi::ResultHandler done) override;
  void close() override;
  std::size_t connections_opened() const override { return 0; }

  // The test's side.
  const botapi::SessionOptions& options() const { return options_; }
  bool polling() const { return static_cast<bool>(poll_); }
  const nlohmann::json& poll_params() const { return poll_params_; }
  // Answers the waiting poll with these updates (a JSON array).
  void deliver(nlohmann::json updates);
  // Answers the waiting poll with `result` (a failure, say).
  void answer_poll(botapi::CallResult result);
  // The next call of `method` ("getUpdates" for a poll) gets `result` at once; scripted answers
  // of one method go in order.
  void script(const std::string& method, botapi::CallResult result);
  // How many calls of `method` finished, the scripted ones included.
  std::size_t count(const std::string& method) const;
  // While held, calls other than getMe and deleteWebhook wait in held() until answered.
  void hold_calls(bool hold) { hold_ = hold; }
  const std::vector<Call>& held() const { return held_; }
  // Answers the oldest held call.
  void answer_held(botapi::CallResult result);
  const std::vector<Finished>& finished() const { return finished_; }
  bool closed() const { return closed_; }
  // Texts of the sendMessage calls answered ok, to `chat_id`, in order.
  std::vector<std::string> sent_texts(std::int64_t chat_id) const;

 private:
  void finish(const std::string& method, const nlohmann::json& params,
              const botapi::ResultHandler& done, botapi::CallResult result);
  std::optional<botapi::CallResult> take_scripted(const std::string& method);

  botapi::SessionOptions options_;
  botapi::ResultHandler poll_;
  nlohmann::json poll_params_;
  std::vector<Call> held_;
  std::map<std::string, std::deque<botapi::CallResult>> scripted_;
  std::vector<Finished> finished_;
  bool hold_ = false;
  bool closed_ = false;
  std::int64_t next_message_id_ = 1;
};

}  // namespace hangar::test
