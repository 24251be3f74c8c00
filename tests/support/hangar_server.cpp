#include "tests/support/hangar_server.hpp"

#include <csignal>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "tests/support/http_test_client.hpp"
#include "tests/support/wait_until.hpp"

namespace hangar::test {

RunResult run_hangar(const std::vector<std::string>& args, const TempDir& dir,
                     const std::map<std::string, std::string>& env, const std::string& stdin_text) {
  std::vector<std::string> argv{HANGAR_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.env = env;
  options.stdin_text = stdin_text;
  options.cwd = dir.path();  // a default `hangar.db` would land here, never in the source tree
  return run_process(argv, dir.path(), std::move(options));
}

std::vector<MetricSample> parse_metrics(const std::string& text) {
  std::vector<MetricSample> samples;
  std::istringstream lines(text);
  std::string line;
  static const std::regex label(R"re(\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?)re");
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    MetricSample sample;
    auto brace = line.find('{');
    auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    if (brace != std::string::npos && brace < space) {
      auto close = line.rfind('}');
      sample.name = line.substr(0, brace);
      std::string labels = line.substr(brace + 1, close - brace - 1);
      for (std::sregex_iterator it(labels.begin(), labels.end(), label), end; it != end; ++it)
        sample.labels[(*it)[1]] = (*it)[2];
      space = line.find(' ', close);
    } else {
      sample.name = line.substr(0, line.find(' '));
      space = line.find(' ');
    }
    std::istringstream value(line.substr(space + 1));
    value >> sample.value;  // a trailing timestamp, if any, is ignored
    samples.push_back(std::move(sample));
  }
  return samples;
}

double metric_sum(const std::vector<MetricSample>& samples, const std::string& name,
                  const std::map<std::string, std::string>& match) {
  double sum = 0;
  for (const auto& sample : samples) {
    if (sample.name != name) continue;
    bool matches = true;
    for (const auto& [key, value] : match) {
      auto found = sample.labels.find(key);
      matches = matches && found != sample.labels.end() && found->second == value;
    }
    if (matches) sum += sample.value;
  }
  return sum;
}

HangarServer::HangarServer(const TempDir& dir, std::string api_url,
                           std::vector<std::string> extra_args)
    : dir_(dir),
      api_url_(std::move(api_url)),
      extra_args_(std::move(extra_args)),
      db_path_(dir.file("hangar.db")) {}

HangarServer::~HangarServer() {
  if (process_) process_->kill();
}

void HangarServer::start() {
  if (process_ && process_->running()) throw std::logic_error("serve is already running");
  std::vector<std::string> argv{HANGAR_BINARY, "serve",       "--db",          db_path_,
                                "--listen",    "127.0.0.1:0", "--admin-token", test_admin_token,
                                "--api-url",   api_url_};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  argv.insert(argv.begin(), launcher_.begin(), launcher_.end());
  ProcessOptions options;
  options.env = env_;
  // Tests send faster than Telegram allows; those about the limits pass --flood-limits, which
  // wins over the variable.
  options.env.emplace("HANGAR_FLOOD_LIMITS", "off");
  const std::string stem = dir_.file("serve-" + std::to_string(++runs_));
  options.stdout_path = stem + ".out";
  options.stderr_path = stem + ".err";
  options.cwd = dir_.path();
  process_ = std::make_unique<Process>(argv, std::move(options));

  static const std::regex serving(R"(Serving on http://[^:\s]+:(\d+))");
  std::smatch match;
  bool up = wait_until(
      [&] {
        std::string out = process_->out();
        if (std::regex_search(out, match, serving)) {
          port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
          return true;
        }
        return !process_->running();
      },
      30s);
  if (!up || port_ == 0 || !process_->running()) {
    std::string err = process_->err();
    process_->kill();
    throw std::runtime_error("hangar serve did not start; stderr:\n" + err);
  }
}

void HangarServer::kill() {
  if (process_) process_->kill();
}

void HangarServer::stop() {
  if (!process_) return;
  process_->terminate();
  if (!process_->wait_for(10s)) process_->kill();
}

bool HangarServer::running() {
  return process_ && process_->running();
}

std::string HangarServer::log() const {
  return process_ ? process_->err() : "";
}

HttpReply HangarServer::get(const std::string& target, bool with_admin_token) const {
  std::map<std::string, std::string> headers;
  if (with_admin_token) headers["Authorization"] = "Bearer " + test_admin_token;
  auto response = http_get("127.0.0.1", port_, target, headers);
  return HttpReply{response.status, response.body};
}

nlohmann::json HangarServer::api_get(const std::string& target) const {
  HttpReply reply = get(target);
  if (reply.status != 200)
    throw std::runtime_error("GET " + target + " answered " + std::to_string(reply.status) + ": " +
                             reply.body);
  return nlohmann::json::parse(reply.body);
}

nlohmann::json HangarServer::bot(const std::string& name) const {
  for (const auto& entry : api_get("/api/bots"))
    if (entry.value("name", "") == name) return entry;
  return nullptr;
}

std::vector<MetricSample> HangarServer::metrics() const {
  HttpReply reply = get("/metrics", false);
  if (reply.status != 200)
    throw std::runtime_error("GET /metrics answered " + std::to_string(reply.status));
  return parse_metrics(reply.body);
}

RunResult HangarServer::run_cli(std::vector<std::string> args,
                                const std::string& stdin_text) const {
  args.push_back("--db");
  args.push_back(db_path_);
  return run_hangar(args, dir_, {}, stdin_text);
}

void HangarServer::add_bot(const std::string& token, const std::string& name,
                           const std::string& behavior) const {
  RunResult result =
      run_cli({"bot", "add", "--token", token, "--name", name, "--behavior", behavior});
  if (result.status.code != 0)
    throw std::runtime_error("bot add " + name + " failed: " + result.err);
}

}  // namespace hangar::test
