#pragma once
// The executor and stream types a session's connections, lookups and tunnels share.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "platform/memory/metered_executor.hpp"

namespace hangar::botapi {

// The session's strand, carrying the bot's meter: every post, completion and timer on it (and
// on the streams and resolvers typed on it) runs with that meter current.
using Strand = MeteredExecutor<boost::asio::strand<boost::asio::io_context::executor_type>>;
// Streams typed on the strand rather than on any_io_executor: every pending operation of a
// type-erased stream allocates copies of the strand, about 300 bytes per waiting poll.
using TcpStream = boost::beast::basic_stream<boost::asio::ip::tcp, Strand>;

}  // namespace hangar::botapi
