#include "tests/unit/actors/scripted_session.hpp"

#include <utility>

namespace hangar::test {

botapi::CallResult ScriptedSession::ok_result(nlohmann::json result) {
  botapi::CallResult answer;
  answer.outcome = botapi::Outcome::ok;
  answer.http_status = 200;
  answer.result = std::move(result);
  return answer;
}

void ScriptedSession::call(std::string method, nlohmann::json params, std::chrono::milliseconds,
                           botapi::ResultHandler done) {
  if (closed_) return finish(method, params, done, botapi::cancelled("session closed"));
  if (auto scripted = take_scripted(method)) return finish(method, params, done, *scripted);
  if (method == "getMe")
    return finish(method, params, done,
                  ok_result({{"id", 1}, {"is_bot", true}, {"username", "bot"}}));
  if (method == "deleteWebhook") return finish(method, params, done, ok_result(true));
  if (hold_) {
    held_.push_back(Call{std::move(method), std::move(params), std::move(done)});
    return;
  }
  finish(method, params, done, ok_result({{"message_id", next_message_id_++}}));
}

void ScriptedSession::poll(nlohmann::json params, std::chrono::milliseconds,
                           botapi::ResultHandler done) {
  if (closed_) return finish("getUpdates", params, done, botapi::cancelled("session closed"));
  if (auto scripted = take_scripted("getUpdates"))
    return finish("getUpdates", params, done, *scripted);
  poll_params_ = std::move(params);
  poll_ = std::move(done);
}

void ScriptedSession::close() {
  if (closed_) return;
  closed_ = true;
  // As the real session does: what was in flight ends with "session closed".
  if (auto done = std::exchange(poll_, nullptr))
    finish("getUpdates", poll_params_, done, botapi::cancelled("session closed"));
  auto held = std::move(held_);
  for (auto& call : held)
    finish(call.method, call.params, call.done, botapi::cancelled("session closed"));
}

void ScriptedSession::deliver(nlohmann::json updates) {
  auto done = std::exchange(poll_, nullptr);
  if (done) finish("getUpdates", poll_params_, done, ok_result(std::move(updates)));
}

void ScriptedSession::answer_poll(botapi::CallResult result) {
  auto done = std::exchange(poll_, nullptr);
  if (done) finish("getUpdates", poll_params_, done, std::move(result));
}

void ScriptedSession::script(const std::string& method, botapi::CallResult result) {
  scripted_[method].push_back(std::move(result));
}

std::optional<botapi::CallResult> ScriptedSession::take_scripted(const std::string& method) {
  auto found = scripted_.find(method);
  if (found == scripted_.end() || found->second.empty()) return std::nullopt;
  auto result = std::move(found->second.front());
  found->second.pop_front();
  return result;
}

std::size_t ScriptedSession::count(const std::string& method) const {
  std::size_t calls = 0;
  for (const auto& call : finished_) calls += call.method == method ? 1 : 0;
  return calls;
}

void ScriptedSession::answer_held(botapi::CallResult result) {
  if (held_.empty()) return;
  auto call = std::move(held_.front());
  held_.erase(held_.begin());
  finish(call.method, call.params, call.done, std::move(result));
}

std::vector<std::string> ScriptedSession::sent_texts(std::int64_t chat_id) const {
  std::vector<std::string> texts;
  for (const auto& call : finished_)
    if (call.method == "sendMessage" && call.ok && call.params.value("chat_id", 0) == chat_id)
      texts.push_back(call.params.value("text", ""));
  return texts;
}

void ScriptedSession::finish(const std::string& method, const nlohmann::json& params,
                             const botapi::ResultHandler& done, botapi::CallResult result) {
  finished_.push_back(Finished{method, params, result.ok(), result.cancelled});
  if (options_.observer) options_.observer->on_call_finished(method, result.outcome);
  if (done) done(std::move(result));
}

}  // namespace hangar::test
