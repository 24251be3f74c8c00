#pragma once
// The common flags of the README and their environment variables, turned into Settings:
// a flag beats its variable, the variable beats the default. Values are validated after
// parsing, naming the flag or the variable they came from.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "platform/core/settings.hpp"

namespace hangar::cli {

class CommonFlags {
 public:
  enum class Scope {
    database,  // --db and --log-level: the commands that only edit the database
    serve,     // every common flag
  };

  CommonFlags(CLI::App& command, Scope scope);
  // The command's options point into this object.
  CommonFlags(const CommonFlags&) = delete;
  CommonFlags& operator=(const CommonFlags&) = delete;

  // Resolves the settings and sets up logging at their level. `defaults` supplies what neither
  // a flag nor a variable sets (`demo` changes the database).
  Settings settle(Settings defaults = {}) const;

 private:
  struct Given {
    std::size_t flag;  // index into the table of common flags
    std::string value;
    CLI::Option* option = nullptr;
  };
  void apply_tuning(Settings& settings) const;

  Scope scope_;
  std::vector<Given> given_;
  // --tuning NAME=DURATION, repeatable (serve scope only); HANGAR_TUNING is a comma-separated list.
  std::vector<std::string> tuning_;
  CLI::Option* tuning_option_ = nullptr;
};

}  // namespace hangar::cli
