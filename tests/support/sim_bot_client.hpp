#pragma once
// A bot's view of the simulator for tests of sim/ itself: Bot API calls with JSON parameters
// over one keep-alive connection. Header-only.
#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/simulator.hpp"
#include "tests/support/http_test_client.hpp"

namespace hangar::test {

class SimBotClient {
 public:
  SimBotClient(const sim::Simulator& sim, std::string token,
               std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : http_("127.0.0.1", sim.port(), std::nullopt, timeout), token_(std::move(token)) {}

  HttpTestResponse raw(const std::string& method, const nlohmann::json& params = nlohmann::json()) {
    return http_.post("/bot" + token_ + "/" + method, params.is_null() ? "{}" : params.dump());
  }
  nlohmann::json call(const std::string& method, const nlohmann::json& params = nlohmann::json()) {
    return nlohmann::json::parse(raw(method, params).body);
  }
  HttpTestClient& http() { return http_; }

 private:
  HttpTestClient http_;
  std::string token_;
};

}  // namespace hangar::test
