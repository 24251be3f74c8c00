#include "platform/rest/metrics_exposition.hpp"

#include <array>
#include <sstream>
#include <vector>

namespace hangar::rest {
namespace {

using Label = std::pair<std::string_view, std::string_view>;

class Exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ << "# HELP " << name << ' ' << help << '\n' << "# TYPE " << name << ' ' << type << '\n';
  }

  template <typename Value>
  void sample(std::string_view name, std::initializer_list<Label> labels, Value value) {
    out_ << name;
    if (labels.size() > 0) {
      out_ << '{';
      bool first = true;
      for (const auto& [label, text] : labels) {
        out_ << (first ? "" : ",") << label << "=\"" << escape_label_value(text) << '"';
        first = false;
      }
      out_ << '}';
    }
    out_ << ' ' << value << '\n';
  }

  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

struct BotRow {
  std::shared_ptr<const BotStatus> status;
  std::string name;  // read once: the lock-guarded name may change between families
};

// A family with one sample per bot, `figure(status)` its value.
template <typename Figure>
void per_bot(Exposition& out, const std::vector<BotRow>& bots, std::string_view name,
             std::string_view type, std::string_view help, Figure figure) {
  out.family(name, type, help);
  for (const auto& bot : bots) out.sample(name, {{"bot", bot.name}}, figure(*bot.status));
}

void bots_by_state(Exposition& out, const std::vector<BotRow>& bots) {
  std::array<std::uint64_t, bot_state_count> counts{};
  for (const auto& bot : bots) ++counts[static_cast<std::size_t>(bot.status->state.load())];
  out.family("hangar_bots", "gauge", "Bots by state.");
  for (int state = 0; state < bot_state_count; ++state)
    out.sample("hangar_bots", {{"state", to_string(static_cast<BotState>(state))}}, counts[state]);
}

void api_requests(Exposition& out, const std::vector<BotRow>& bots) {
  constexpr std::string_view name = "hangar_api_requests_total";
  out.family(name, "counter", "Bot API requests by bot, method and outcome.");
  for (const auto& bot : bots)
    for (int m = 0; m < api_method_count; ++m)
      for (int o = 0; o < botapi::outcome_count; ++o) {
        const auto method = static_cast<ApiMethod>(m);
        const auto outcome = static_cast<botapi::Outcome>(o);
        // Only the series that happened: 7 methods x 6 outcomes per bot would be mostly zeros.
        if (const auto count = bot.status->api_requests(method, outcome))
          out.sample(name,
                     {{"bot", bot.name},
                      {"method", to_string(method)},
                      {"outcome", botapi::to_string(outcome)}},
                     count);
      }
}

void restarts(Exposition& out, const std::vector<BotRow>& bots) {
  constexpr std::string_view name = "hangar_restarts_total";
  out.family(name, "counter", "Bot actor restarts since the process started, by reason.");
  for (const auto& bot : bots)
    for (int r = 0; r < restart_reason_count; ++r) {
      const auto reason = static_cast<RestartReason>(r);
      out.sample(name, {{"bot", bot.name}, {"reason", to_string(reason)}},
                 bot.status->restarts_since_start(reason));
    }
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      escaped += "\\\\";
    else if (c == '"')
      escaped += "\\\"";
    else if (c == '\n')
      escaped += "\\n";
    else
      escaped += c;
  }
  return escaped;
}

std::string render_metrics(const FleetStatus& fleet, const MetricsInput& input) {
  std::vector<BotRow> bots;
  for (auto& status : fleet.bots()) bots.push_back({status, status->name()});

  Exposition out;
  bots_by_state(out, bots);
  per_bot(out, bots, "hangar_chat_actors", "gauge", "Active chat actors by bot.",
          [](const BotStatus& b) { return b.chat_count(); });
  per_bot(out, bots, "hangar_updates_received_total", "counter",
          "Updates received from the Bot API.",
          [](const BotStatus& b) { return b.updates_received.load(); });
  per_bot(out, bots, "hangar_updates_handled_total", "counter", "Updates handled.",
          [](const BotStatus& b) { return b.updates_handled.load(); });
  api_requests(out, bots);
  per_bot(out, bots, "hangar_actor_live_bytes", "gauge",
          "Live heap bytes of a bot actor with its chats.",
          [](const BotStatus& b) { return b.live_bytes(); });
  per_bot(out, bots, "hangar_memory_budget_bytes", "gauge",
          "Memory budget of a bot with its chats.", [&input](const BotStatus& b) {
            const auto budget = b.memory_budget();
            return budget != 0 ? budget : input.default_bot_memory_budget;
          });
  out.family("hangar_heap_metered_bytes", "gauge", "Live heap bytes of all meters together.");
  out.sample("hangar_heap_metered_bytes", {}, input.heap_metered_bytes);
  restarts(out, bots);
  out.family("hangar_process_resident_bytes", "gauge", "Resident set size of the process.");
  out.sample("hangar_process_resident_bytes", {}, input.process_resident_bytes);
  return out.text();
}

}  // namespace hangar::rest
