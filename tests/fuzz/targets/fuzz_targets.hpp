#pragma once
// The parsers that take bytes from the network, each driven the way Hangar drives it, for the
// corpus test (tests/fuzz/corpus_fuzz_test.cpp) and the optional libFuzzer executables
// (HANGAR_FUZZ). A target returns normally for every input Hangar copes with, however it
// refuses it. A crash, a sanitizer report, an exception escaping, or a FuzzFinding (a result that
// breaks a documented bound) is a bug.
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hangar::fuzz {

struct FuzzFinding : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Bytes from a Bot API server: a whole HTTP response when they start with "HTTP/", otherwise the
// body of a 200. Framed with the client's header and body caps, parsed into a call's result, and
// read as a getMe answer, as a getUpdates answer by the poller, and update by update as a chat
// reads it from the inbox.
void bot_api_response(std::string_view input);

// The admin token of RestTarget's database; the corpus's requests carry it to get past the check.
constexpr const char* fuzz_admin_token = "fuzz-admin-token-0123456789";

// Bytes a client sent to the REST API: framed into requests by Beast with the HTTP server's caps,
// as many as the bytes hold while each answer keeps the connection alive, each handled by a real
// RestHandler over a real SQLite database in `directory` (a bot and an event in it).
class RestTarget {
 public:
  explicit RestTarget(const std::string& directory);
  ~RestTarget();
  RestTarget(const RestTarget&) = delete;
  RestTarget& operator=(const RestTarget&) = delete;

  void run(std::string_view input);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hangar::fuzz
