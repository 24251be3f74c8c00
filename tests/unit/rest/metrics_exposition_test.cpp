#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "platform/memory/process_figures.hpp"
#include "platform/rest/metrics_exposition.hpp"
#include "tests/support/charged_meter.hpp"

using namespace hangar;
using namespace hangar::rest;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool has_line(const std::string& text, const std::string& line) {
  for (const auto& l : lines_of(text))
    if (l == line) return true;
  return false;
}

std::size_t count_prefix(const std::string& text, const std::string& prefix) {
  std::size_t count = 0;
  for (const auto& l : lines_of(text))
    if (l.rfind(prefix, 0) == 0) ++count;
  return count;
}

}  // namespace

TEST_CASE("every contract metric has HELP and TYPE, even with no bots") {
  FleetStatus fleet;
  const auto text = render_metrics(fleet, MetricsInput{});
  const std::vector<std::pair<std::string, std::string>> families = {
      {"hangar_bots", "gauge"},
      {"hangar_chat_actors", "gauge"},
      {"hangar_updates_received_total", "counter"},
      {"hangar_updates_handled_total", "counter"},
      {"hangar_api_requests_total", "counter"},
      {"hangar_actor_live_bytes", "gauge"},
      {"hangar_memory_budget_bytes", "gauge"},
      {"hangar_heap_metered_bytes", "gauge"},
      {"hangar_restarts_total", "counter"},
      {"hangar_process_resident_bytes", "gauge"},
  };
  for (const auto& [name, type] : families) {
    INFO(name);
    CHECK(has_line(text, "# TYPE " + name + " " + type));
    CHECK(count_prefix(text, "# HELP " + name + " ") == 1);
  }
  // Every state is there, zeros included, so a dashboard never sees a series vanish.
  for (const char* state :
       {"starting", "running", "backoff", "conflict", "unauthorized", "quarantined", "stopped"})
    CHECK(has_line(text, std::string("hangar_bots{state=\"") + state + "\"} 0"));
  CHECK(text.back() == '\n');
}

TEST_CASE("per-bot figures are labelled by name") {
  FleetStatus fleet;
  auto alpha = fleet.ensure(1, "alpha");
  auto beta = fleet.ensure(2, "beta");
  alpha->state = BotState::running;
  beta->state = BotState::backoff;
  alpha->updates_received = 12;
  alpha->updates_handled = 10;
  alpha->set_meter(hangar::test::charged_meter(4096, 1 << 20));
  alpha->add_chat(100);
  alpha->add_chat(200);
  alpha->count_api_request(ApiMethod::getUpdates, botapi::Outcome::ok);
  alpha->count_api_request(ApiMethod::getUpdates, botapi::Outcome::ok);
  alpha->count_api_request(ApiMethod::sendMessage, botapi::Outcome::timeout);
  alpha->count_restart(RestartReason::budget);

  MetricsInput input;
  input.heap_metered_bytes = 123456;
  input.process_resident_bytes = 7890;
  input.default_bot_memory_budget = 64 << 20;
  const auto text = render_metrics(fleet, input);

  CHECK(has_line(text, "hangar_bots{state=\"running\"} 1"));
  CHECK(has_line(text, "hangar_bots{state=\"backoff\"} 1"));
  CHECK(has_line(text, "hangar_bots{state=\"starting\"} 0"));
  CHECK(has_line(text, "hangar_chat_actors{bot=\"alpha\"} 2"));
  CHECK(has_line(text, "hangar_chat_actors{bot=\"beta\"} 0"));
  CHECK(has_line(text, "hangar_updates_received_total{bot=\"alpha\"} 12"));
  CHECK(has_line(text, "hangar_updates_handled_total{bot=\"alpha\"} 10"));
  CHECK(has_line(text, "hangar_actor_live_bytes{bot=\"alpha\"} 4096"));
  CHECK(has_line(text, "hangar_memory_budget_bytes{bot=\"alpha\"} 1048576"));
  // A bot the supervisor has not given a budget yet shows the default one.
  CHECK(has_line(text, "hangar_memory_budget_bytes{bot=\"beta\"} 67108864"));
  CHECK(has_line(
      text, "hangar_api_requests_total{bot=\"alpha\",method=\"getUpdates\",outcome=\"ok\"} 2"));
  CHECK(has_line(
      text,
      "hangar_api_requests_total{bot=\"alpha\",method=\"sendMessage\",outcome=\"timeout\"} 1"));
  // Only series that happened: 2 of alpha's 42 possible, none of beta's.
  CHECK(count_prefix(text, "hangar_api_requests_total{") == 2);
  CHECK(has_line(text, "hangar_restarts_total{bot=\"alpha\",reason=\"budget\"} 1"));
  CHECK(has_line(text, "hangar_restarts_total{bot=\"alpha\",reason=\"crash\"} 0"));
  CHECK(has_line(text, "hangar_restarts_total{bot=\"beta\",reason=\"config\"} 0"));
  CHECK(has_line(text, "hangar_heap_metered_bytes 123456"));
  CHECK(has_line(text, "hangar_process_resident_bytes 7890"));
}

TEST_CASE("label values are escaped") {
  CHECK(escape_label_value("plain") == "plain");
  CHECK(escape_label_value("a\"b") == "a\\\"b");
  CHECK(escape_label_value("a\\b") == "a\\\\b");
  CHECK(escape_label_value("a\nb") == "a\\nb");

  FleetStatus fleet;
  fleet.ensure(1, "we\"ird\\name\n");
  const auto text = render_metrics(fleet, MetricsInput{});
  CHECK(has_line(text, "hangar_chat_actors{bot=\"we\\\"ird\\\\name\\n\"} 0"));
}

TEST_CASE("the resident set size of this process is read from /proc") {
  const auto rss = process_resident_bytes();
  CHECK(rss > 1024 * 1024);
  CHECK(rss < (std::uint64_t{64} << 30));
}
