#pragma once
// A flag kept as text and validated after parsing by a cli_values.hpp function, so every bad
// value is reported the same way: "hangar: --flag: problem", exit status 2.
#include <string>

#include <CLI/CLI.hpp>

namespace hangar::cli {

class TextFlag {
 public:
  // `kind` names the value in --help: FILE, SIZE, N...
  TextFlag(CLI::App& command, std::string name, const std::string& kind, const std::string& help)
      : name_(std::move(name)), option_(command.add_option(name_, value_, help)) {
    option_->type_name(kind);
  }
  // The command's option points into this object.
  TextFlag(const TextFlag&) = delete;
  TextFlag& operator=(const TextFlag&) = delete;

  bool given() const { return option_->count() > 0; }
  const std::string& name() const { return name_; }
  const std::string& text() const { return value_; }
  CLI::Option* option() const { return option_; }

  // `validate` is one of cli_values.hpp's functions: (source, text) -> value.
  template <typename Validate>
  auto value(Validate validate) const {
    return validate(name_, value_);
  }

 private:
  std::string name_;
  std::string value_;
  CLI::Option* option_;
};

}  // namespace hangar::cli
