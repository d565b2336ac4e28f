// MpiCommunicator: block discovery (fixed size or one block per node) and a ring all-reduce
// written out by hand (non-blocking calls completed by CollectiveWatch, which bounds the wait), because MPI_Allreduce leaves the summation order to the library and
// bit-identity with the simulated communicator needs ring_order_mean()'s order.
#include "comm/mpi/mpi_communicator.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace localsgd {
namespace {

// Collective over MPI_COMM_WORLD, so that every rank reaches the same verdict and either all
// ranks throw or none does (a lone thrower would leave the others waiting in a collective).
int resolve_block_size(const MpiSession& session, int block_size) {
  if (block_size < 0) throw std::invalid_argument("MpiCommunicator: block_size must be >= 0");
  if (block_size > 0) {
    if (session.size() % block_size != 0)
      throw std::invalid_argument("MpiCommunicator: block_size " + std::to_string(block_size) +
                                  " does not divide the " + std::to_string(session.size()) + " ranks");
    return block_size;
  }
  int first = 0, last = 0;
  const int rank = session.rank();
  mpi_check(MPI_Allreduce(&rank, &first, 1, MPI_INT, MPI_MIN, session.node_comm()), "MPI_Allreduce");
  mpi_check(MPI_Allreduce(&rank, &last, 1, MPI_INT, MPI_MAX, session.node_comm()), "MPI_Allreduce");
  const int consecutive = last - first + 1 == session.local_size();
  // MAX of {size, -size, !consecutive} = {largest node, -smallest node, any node scattered}.
  int mine[3] = {session.local_size(), -session.local_size(), !consecutive}, all[3];
  MPI_Allreduce(mine, all, 3, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (all[0] != -all[1] || all[2])
    throw std::runtime_error(
        "MpiCommunicator: nodes hold " + std::to_string(-all[1]) + " to " + std::to_string(all[0]) +
        " ranks" + (all[2] ? ", not all consecutive" : "") +
        "; one block per node needs equal nodes of consecutive ranks: set algorithm.block_size");
  return session.local_size();
}

struct Chunk {
  std::int64_t offset, length;
};

// Chunk c of n elements cut into g: sizes differ by at most one, larger first.
Chunk chunk(std::int64_t n, int g, int c) {
  const std::int64_t base = n / g, extra = n % g;
  return {c * base + std::min<std::int64_t>(c, extra), base + (c < extra ? 1 : 0)};
}

template <typename T>
void add_into(void* partial, const void* received, std::int64_t length) {
  T* p = static_cast<T*>(partial);
  const T* r = static_cast<const T*>(received);
  // received + partial: float addition is commutative, so this equals ring_order_mean's acc + x.
  for (std::int64_t i = 0; i < length; ++i) p[i] = r[i] + p[i];
}

}  // namespace

MpiCommunicator::MpiCommunicator(const MpiSession& session, int block_size, double collective_timeout)
    : Communicator(session.size(), resolve_block_size(session, block_size)), rank_(session.rank()),
      size_(session.size()), watch_(MPI_COMM_WORLD, collective_timeout) {
  mpi_check(MPI_Comm_dup(MPI_COMM_WORLD, &world_), "MPI_Comm_dup");
  MPI_Comm_set_errhandler(world_, MPI_ERRORS_RETURN);
  group_comm(groups(CommLevel::kBlock));  // made up front, as before any training step
}

MpiCommunicator::~MpiCommunicator() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  for (auto& [key, comm] : groups_) MPI_Comm_free(&comm);
  MPI_Comm_free(&world_);
}

MPI_Comm MpiCommunicator::group_comm(const WorkerGroups& groups) {
  if (groups.count() == 1 && groups.consecutive_blocks()) return world_;
  const auto found = groups_.find(groups.key());
  if (found != groups_.end()) return found->second;
  MPI_Comm comm = MPI_COMM_NULL;
  // color = group, key = position: ring order within a group follows its member order.
  mpi_check(MPI_Comm_split(world_, groups.group_of(rank_), groups.position_of(rank_), &comm), "MPI_Comm_split");
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  groups_.emplace(groups.key(), comm);
  return comm;
}

void MpiCommunicator::reduce_rows(torch::Tensor& rows, const WorkerGroups& groups, ReduceOp op) {
  torch::NoGradGuard no_grad;
  if (!rows.device().is_cpu()) throw std::invalid_argument("MpiCommunicator: rows must be on the CPU");
  const bool is_double = rows.scalar_type() == torch::kDouble;
  if (!is_double && rows.scalar_type() != torch::kFloat)
    throw std::invalid_argument("MpiCommunicator: rows must be float32 or float64");
  const MPI_Datatype type = is_double ? MPI_DOUBLE : MPI_FLOAT;
  const auto add = is_double ? add_into<double> : add_into<float>;
  const std::int64_t n = rows.size(1), element = rows.element_size();
  MPI_Comm comm = group_comm(groups);
  int r = 0, g = 1;
  mpi_check(MPI_Comm_rank(comm, &r), "MPI_Comm_rank");
  mpi_check(MPI_Comm_size(comm, &g), "MPI_Comm_size");
  const std::int64_t largest = chunk(n, g, 0).length;
  if (largest > INT_MAX) throw std::invalid_argument("MpiCommunicator: chunks beyond INT_MAX elements");
  if (receive_.size() < static_cast<std::size_t>(largest * element)) receive_.resize(largest * element);

  auto* data = static_cast<unsigned char*>(rows.data_ptr());
  const int next = (r + 1) % g, previous = (r + g - 1) % g;
  auto at = [&](Chunk c) { return data + c.offset * element; };
  auto mod = [g](int i) { return ((i % g) + g) % g; };

  // Reduce-scatter: at step s, chunk (r - s - 1) mod g arrives holding the sum of members
  // c .. r-1 (c its index), in that order; adding ours extends the ring sum by one member.
  for (int s = 0; s + 1 < g; ++s) {
    const Chunk out = chunk(n, g, mod(r - s)), in = chunk(n, g, mod(r - s - 1));
    send_receive(at(out), out.length, receive_.data(), in.length, type, next, previous, 0, comm,
                 "the all-reduce (reduce-scatter)");
    add(at(in), receive_.data(), in.length);
  }
  // Member r now holds the full sum of chunk r + 1. Divide with the very torch op
  // ring_order_mean uses, so even a reciprocal-multiply kernel would round alike.
  const Chunk done = chunk(n, g, mod(r + 1));
  if (op == ReduceOp::kMean) rows[0].narrow(0, done.offset, done.length).div_(static_cast<double>(g));
  // All-gather: pass finished chunks around the ring, straight into place.
  for (int s = 0; s + 1 < g; ++s) {
    const Chunk out = chunk(n, g, mod(r + 1 - s)), in = chunk(n, g, mod(r - s));
    send_receive(at(out), out.length, at(in), in.length, type, next, previous, 1, comm,
                 "the all-reduce (all-gather)");
  }
}

void MpiCommunicator::mix_rows(torch::Tensor& rows, const MixingMatrix& weights) {
  torch::NoGradGuard no_grad;
  if (!rows.device().is_cpu()) throw std::invalid_argument("MpiCommunicator: rows must be on the CPU");
  const auto neighbours = weights.neighbours(rank_);
  const std::int64_t n = rows.size(1);
  if (n * rows.element_size() > INT_MAX) throw std::invalid_argument("MpiCommunicator::mix: rows beyond INT_MAX bytes");
  std::vector<torch::Tensor> received;
  std::vector<MPI_Request> requests;
  const int bytes = static_cast<int>(n * rows.element_size());
  for (int j : neighbours) {  // non-blocking both ways: any pattern of pairs completes
    received.push_back(torch::empty({n}, rows.options()));
    requests.emplace_back();
    mpi_check(MPI_Irecv(received.back().data_ptr(), bytes, MPI_BYTE, j, 2, world_, &requests.back()), "MPI_Irecv");
    requests.emplace_back();
    mpi_check(MPI_Isend(rows.data_ptr(), bytes, MPI_BYTE, j, 2, world_, &requests.back()), "MPI_Isend");
  }
  watch_.wait(requests, "the gossip exchange");
  const auto mine = rows[0].clone();
  std::vector<std::pair<double, torch::Tensor>> terms;
  std::size_t next = 0;
  for (const auto& [j, w] : weights.row(rank_)) terms.emplace_back(w, j == rank_ ? mine : received[next++]);
  auto out = rows[0];
  mix_rows_in_order(terms, out);
}

std::vector<double> MpiCommunicator::gather_all(const std::vector<double>& mine) const {
  return watch_.all_gather(world_, mine);
}

void MpiCommunicator::barrier() const {
  std::vector<MPI_Request> request(1);
  mpi_check(MPI_Ibarrier(world_, request.data()), "MPI_Ibarrier");
  watch_.wait(request, "the barrier");
}

void MpiCommunicator::send_receive(const void* out, std::int64_t out_length, void* in, std::int64_t in_length,
                                   MPI_Datatype type, int to, int from, int tag, MPI_Comm comm, const char* what) {
  std::vector<MPI_Request> requests(2);
  mpi_check(MPI_Irecv(in, static_cast<int>(in_length), type, from, tag, comm, &requests[0]), "MPI_Irecv");
  mpi_check(MPI_Isend(out, static_cast<int>(out_length), type, to, tag, comm, &requests[1]), "MPI_Isend");
  watch_.wait(requests, what);
}

}  // namespace localsgd
