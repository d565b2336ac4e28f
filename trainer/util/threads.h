// Defines how many intra-op threads LibTorch gets: the configured number, or else the CPUs
// this process may run on (its affinity mask, which follows Slurm's and taskset's limits).
// Set explicitly because LibTorch here defaults to one thread, halving throughput on two cores.
#pragma once

namespace localsgd {

int available_cpus();
int apply_thread_count(int configured);  // returns the count now in force

}  // namespace localsgd
