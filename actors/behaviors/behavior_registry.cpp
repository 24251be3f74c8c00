// parse_behavior and make_behavior: the one place that knows every behaviour by name.
#include <functional>
#include <map>

#include "actors/behaviors/behavior.hpp"
#include "actors/behaviors/counter_behavior.hpp"
#include "actors/behaviors/crash_on_behavior.hpp"
#include "actors/behaviors/echo_behavior.hpp"
#include "actors/behaviors/leak_behavior.hpp"
#include "actors/behaviors/slow_behavior.hpp"
#include "platform/core/units.hpp"

namespace hangar::actors {

namespace {

enum class Argument { none, size, duration, text };

struct Entry {
  Argument argument;
  std::function<std::unique_ptr<Behavior>(const std::string&)> make;
};

const std::map<std::string, Entry>& registry() {
  static const std::map<std::string, Entry> entries = {
      {"echo", {Argument::none, [](auto&) { return std::make_unique<behaviors::EchoBehavior>(); }}},
      {"counter",
       {Argument::none, [](auto&) { return std::make_unique<behaviors::CounterBehavior>(); }}},
      {"leak",
       {Argument::size,
        [](const std::string& arg) {
          return std::make_unique<behaviors::LeakBehavior>(*parse_size(arg));
        }}},
      {"slow",
       {Argument::duration,
        [](const std::string& arg) {
          return std::make_unique<behaviors::SlowBehavior>(*parse_duration(arg));
        }}},
      {"crash-on",
       {Argument::text,
        [](const std::string& arg) { return std::make_unique<behaviors::CrashOnBehavior>(arg); }}},
  };
  return entries;
}

std::optional<std::string> argument_error(Argument kind, const std::string& name,
                                          const std::string& argument) {
  switch (kind) {
    case Argument::none:
      if (!argument.empty()) return "behaviour \"" + name + "\" takes no setting";
      return std::nullopt;
    case Argument::size:
      if (!parse_size(argument))
        return "behaviour \"" + name + "\" needs a size, as in " + name + ":64KiB";
      return std::nullopt;
    case Argument::duration:
      if (!parse_duration(argument))
        return "behaviour \"" + name + "\" needs a duration, as in " + name + ":2s";
      return std::nullopt;
    case Argument::text:
      if (argument.empty())
        return "behaviour \"" + name + "\" needs a text, as in " + name + ":boom";
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::optional<BehaviorSpec> parse_behavior(const std::string& text, std::string* error) {
  auto colon = text.find(':');
  BehaviorSpec spec{text.substr(0, colon),
                    colon == std::string::npos ? "" : text.substr(colon + 1)};
  auto entry = registry().find(spec.name);
  std::optional<std::string> problem;
  if (entry == registry().end())
    problem = "unknown behaviour \"" + spec.name + "\" (known: echo, counter, leak:SIZE, " +
              "slow:DURATION, crash-on:TEXT)";
  else
    problem = argument_error(entry->second.argument, spec.name, spec.argument);
  if (problem) {
    if (error) *error = *problem;
    return std::nullopt;
  }
  return spec;
}

std::unique_ptr<Behavior> make_behavior(const BehaviorSpec& spec) {
  return registry().at(spec.name).make(spec.argument);
}

}  // namespace hangar::actors
