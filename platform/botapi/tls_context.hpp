#pragma once
// The one client TLS context of the process: the system CA store plus an optional CA file,
// with peer verification on. Host names are checked per connection.
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace hangar::botapi {

// Throws std::runtime_error with one line when the CA file cannot be read.
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context(
    const std::optional<std::string>& ca_file);

}  // namespace hangar::botapi
