// Figure 5's "latency of transmitting data among CPU cores": a ping-pong between ranks 0 and 1
// of an MPI job (MPI_Send / MPI_Recv of `bytes` bytes and back), per message size. The one-way
// latency is half the median round trip; whether the two ranks share a node says if the link
// was intra- or inter-node. Built with the MPI backend only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace localsgd {

struct PingPongTime {
  std::int64_t bytes = 0;
  int round_trips = 0;          // timed, after the warm-up ones
  double median_seconds = 0;    // one way: half the median round trip
};

// Runs on every rank of the job (ranks other than 0 and 1 wait); the result is rank 0's.
// Per size: 10 untimed round trips, then round trips until both `min_round_trips` and
// `min_seconds` are reached (rank 0 decides and tells rank 1 with the message's first byte).
std::vector<PingPongTime> time_ping_pong(const std::vector<std::int64_t>& sizes, int min_round_trips = 20,
                                         double min_seconds = 0.2);

// The host names of ranks 0 and 1 (MPI_Get_processor_name), on rank 0; called by every rank.
std::vector<std::string> ping_pong_hosts();

}  // namespace localsgd
