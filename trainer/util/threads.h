// Defines how many intra-op threads LibTorch gets: the configured number, or else the CPUs
// this process may run on: its affinity mask (taskset, Slurm's task/affinity or cgroup binding),
// within Slurm's allocation of the task (SLURM_CPUS_PER_TASK, else SLURM_CPUS_ON_NODE over
// SLURM_TASKS_PER_NODE) and split among the MPI ranks of the node when they share the mask.
// Set explicitly because LibTorch here defaults to one thread, halving throughput on two cores.
#pragma once

namespace localsgd {

int available_cpus();
int apply_thread_count(int configured);  // returns the count now in force

}  // namespace localsgd
