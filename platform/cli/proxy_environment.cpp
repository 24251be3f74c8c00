#include "platform/cli/proxy_environment.hpp"

#include <cstdlib>
#include <initializer_list>
#include <string>

#include "platform/cli/values.hpp"

namespace hangar::cli {
namespace {

// The first of `names` that is set and not empty, validated as a proxy URL unless it is a list.
std::string variable(std::initializer_list<const char*> names, bool is_url = true) {
  for (const char* name : names) {
    const char* value = std::getenv(name);
    if (!value || !*value) continue;
    return is_url ? proxy_url(name, value) : std::string(value);
  }
  return "";
}

}  // namespace

ProxyEnvironment read_proxy_environment() {
  ProxyEnvironment environment;
  environment.https_proxy = variable({"https_proxy", "HTTPS_PROXY"});
  environment.http_proxy = variable({"http_proxy"});
  environment.all_proxy = variable({"all_proxy", "ALL_PROXY"});
  environment.no_proxy = variable({"no_proxy", "NO_PROXY"}, false);
  return environment;
}

}  // namespace hangar::cli
