#include <catch2/catch.hpp>

#include "actors/fleet/restart_policy.hpp"

using hangar::RestartIntensity;
using hangar::actors::RestartPolicy;
using namespace std::chrono_literals;

TEST_CASE("restarts within the intensity happen at once, one more backs off") {
  RestartPolicy policy(RestartIntensity{3, 60s}, 3);
  auto t = RestartPolicy::Clock::time_point{} + 1h;
  for (int i = 0; i < 3; ++i)
    CHECK(policy.on_restart(t + i * 1s).action == RestartPolicy::Action::restart);
  auto decision = policy.on_restart(t + 3s);
  CHECK(decision.action == RestartPolicy::Action::backoff);
  CHECK(decision.delay == 5s);  // a twelfth of the period
}

TEST_CASE("backoffs in a row double, then quarantine") {
  RestartPolicy policy(RestartIntensity{1, 12s}, 2);
  auto t = RestartPolicy::Clock::time_point{} + 1h;
  CHECK(policy.on_restart(t).action == RestartPolicy::Action::restart);
  auto first = policy.on_restart(t += 1s);
  CHECK(first.action == RestartPolicy::Action::backoff);
  CHECK(first.delay == 1s);
  CHECK(policy.on_restart(t += 2s).action == RestartPolicy::Action::restart);
  auto second = policy.on_restart(t += 1s);
  CHECK(second.action == RestartPolicy::Action::backoff);
  CHECK(second.delay == 2s);
  CHECK(policy.on_restart(t += 3s).action == RestartPolicy::Action::restart);
  CHECK(policy.on_restart(t += 1s).action == RestartPolicy::Action::quarantine);
}

TEST_CASE("a quiet period ends the streak") {
  RestartPolicy policy(RestartIntensity{1, 10s}, 1);
  auto t = RestartPolicy::Clock::time_point{} + 1h;
  policy.on_restart(t);
  CHECK(policy.on_restart(t += 1s).action == RestartPolicy::Action::backoff);
  t += 1min;  // ran fine for longer than the period
  CHECK(policy.on_restart(t).action == RestartPolicy::Action::restart);
  CHECK(policy.on_restart(t += 1s).action == RestartPolicy::Action::backoff);
  CHECK(policy.backoffs_in_a_row() == 1);
}

TEST_CASE("the backoff delay is capped") {
  RestartPolicy policy(RestartIntensity{1, 1h}, 100);
  auto t = RestartPolicy::Clock::time_point{} + 1h;
  std::chrono::milliseconds last{0};
  for (int i = 0; i < 20; ++i) {
    policy.on_restart(t += 1s);
    auto decision = policy.on_restart(t += 1s);
    REQUIRE(decision.action == RestartPolicy::Action::backoff);
    last = decision.delay;
  }
  CHECK(last == RestartPolicy::max_backoff);
}
