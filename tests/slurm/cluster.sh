#!/usr/bin/env bash
# A private single-node Slurm cluster for tests, kept entirely in one state directory.
#
#   tests/slurm/cluster.sh start STATE_DIR   # (re)start it; waits until the node is idle
#   tests/slurm/cluster.sh env STATE_DIR     # prints: export SLURM_CONF=STATE_DIR/slurm.conf
#   tests/slurm/cluster.sh stop STATE_DIR    # stops the daemons whose PID files are in STATE_DIR
#   tests/slurm/cluster.sh reap PREFIX       # stops the clusters of PREFIX*/ whose owner is gone
#
# Environment of `start`: CLUSTER_MIN_JOB_AGE (seconds slurmctld keeps finished jobs; default
# 600, the only record of them without accounting); CLUSTER_EXTRA_CONF (lines appended to
# slurm.conf). The clients find the cluster only through SLURM_CONF (`env`): there is no
# /etc/slurm/slurm.conf for it, as with a module-installed Slurm.
#
# A test that starts a cluster in WORK/cluster writes "PID SCRIPT" to WORK/owner and stops the
# cluster on exit; if it was killed with SIGKILL (e.g. a CTest timeout) it cannot, so its next
# run calls `reap` with the prefix of its work directories: a directory whose owner process is
# no longer SCRIPT has its cluster stopped and is removed. Live runs are left alone.
#
# Made for a machine without systemd or usable cgroups (Debian 12 VM, run as root): slurmctld and
# slurmd run as root with proctrack/linuxproc and task/none, on their own free ports, with state,
# spool, logs and PID files under STATE_DIR, so a cluster already running on this host (with
# /etc/slurm/slurm.conf and the default ports) is never touched. munged is shared: it is started
# only when `munge -n | unmunge` fails, and then stopped again by `stop` unless another cluster
# still runs on this host. A stale cluster from an earlier run in the same STATE_DIR is stopped
# before `start` begins.
set -uo pipefail

NODE=lsgd0              # NodeName of the single node (slurmd -N)
PARTITION=localsgd
CLUSTER=localsgd
FIRST_PORT=26817        # SlurmctldPort; SlurmdPort is the next one. Probed upwards when taken.
START_TIMEOUT=30        # seconds for the node to become idle
STOP_TIMEOUT=15         # seconds for a daemon to exit after SIGTERM (then SIGKILL)
DEF_MEM_PER_CPU=512     # MB; with CR_Core_Memory a job without --mem would otherwise get all memory
MIN_JOB_AGE="${CLUSTER_MIN_JOB_AGE:-600}"
EXTRA_CONF="${CLUSTER_EXTRA_CONF:-}"

die() { echo "cluster.sh: $*" >&2; exit 1; }
usage() { die "usage: cluster.sh start|stop|env STATE_DIR | reap PREFIX"; }

[[ $# -eq 2 ]] || usage
CMD="$1"
if [[ "$CMD" == reap ]]; then
  for old in "$2"*/; do
    [[ -f "$old/owner" ]] || continue
    read -r pid script <"$old/owner"
    if [[ "$pid" =~ ^[0-9]+$ && -n "$script" ]] &&
       { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF "$script"; then
      continue
    fi
    echo "cluster.sh: stopping the leftover cluster of an earlier ${script:-run} in $old" >&2
    bash "${BASH_SOURCE[0]}" stop "$old/cluster" && rm -rf "$old"
  done
  exit 0
fi
if [[ "$CMD" == start ]]; then
  mkdir -p "$2" || die "cannot create $2"
elif [[ ! -d "$2" ]]; then
  [[ "$CMD" == stop ]] && exit 0   # nothing was ever started there
  [[ "$CMD" == env ]] || usage
fi
STATE="$(realpath -m "$2")"
CONF="$STATE/slurm.conf"
MUNGE_RECORD="$STATE/munged.started-by-us"   # holds the PID of a munged this script started

# True if PID is a live process named NAME that was started with our SLURM_CONF (guards against
# PID reuse and against ever signalling another cluster's daemons).
is_ours() {
  local pid="$1" name="$2"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$name" ]] || return 1
  tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "SLURM_CONF=$CONF"
}

# Sends SIGTERM to PID, waits up to STOP_TIMEOUT s, then SIGKILL.
terminate() {
  local pid="$1" what="$2"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 $((STOP_TIMEOUT * 10))); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "cluster.sh: $what ($pid) ignored SIGTERM for ${STOP_TIMEOUT}s, sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  echo "cluster.sh: $what ($pid) still alive after SIGKILL" >&2
  return 1
}

stop_slurm() {
  local rc=0 pid
  # Cancel whatever is still running on our cluster, so no slurmstepd outlives slurmd.
  if [[ -f "$CONF" ]] && pid=$(cat "$STATE/slurmctld.pid" 2>/dev/null) && is_ours "$pid" slurmctld; then
    SLURM_CONF="$CONF" timeout 10 scancel --quiet --user="$(id -un)" >/dev/null 2>&1 || true
  fi
  # Both at once (each takes about 2 s to shut down), then wait for both.
  local -A ours=()
  for d in slurmd slurmctld; do
    pid=$(cat "$STATE/$d.pid" 2>/dev/null) || continue
    if is_ours "$pid" "$d"; then
      ours[$d]=$pid
      kill -TERM "$pid" 2>/dev/null
    fi
    rm -f "$STATE/$d.pid"
  done
  for d in "${!ours[@]}"; do terminate "${ours[$d]}" "$d" || rc=1; done
  # slurmstepd of our cluster (they inherit SLURM_CONF from our slurmd), should any be left.
  for p in $(pgrep -x slurmstepd 2>/dev/null); do
    is_ours "$p" slurmstepd && { terminate "$p" slurmstepd || rc=1; }
  done
  return $rc
}

stop_munge() {
  [[ -f "$MUNGE_RECORD" ]] || return 0
  local pid
  pid=$(cat "$MUNGE_RECORD")
  # Another cluster on this host (a concurrent test's, or the host's own) may have come to use
  # the munged we started: leave it running rather than break that cluster.
  if pgrep -x slurmctld >/dev/null 2>&1 || pgrep -x slurmd >/dev/null 2>&1; then
    echo "cluster.sh: leaving munged ($pid) running: another Slurm cluster on this host uses it" >&2
    rm -f "$MUNGE_RECORD"
    return 0
  fi
  if [[ "$pid" =~ ^[0-9]+$ && "$(cat "/proc/$pid/comm" 2>/dev/null)" == munged ]]; then
    terminate "$pid" munged || return 1
  fi
  rm -f "$MUNGE_RECORD"
}

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

ensure_munge() {
  if munge_works; then return 0; fi
  # A record whose munged has died is stale.
  if [[ -f "$MUNGE_RECORD" ]]; then
    local old; old=$(cat "$MUNGE_RECORD")
    [[ "$(cat "/proc/$old/comm" 2>/dev/null)" == munged ]] || rm -f "$MUNGE_RECORD"
  fi
  [[ "$(id -u)" -eq 0 ]] || die "munged is not running and starting it needs root"
  [[ -r /etc/munge/munge.key ]] || die "no /etc/munge/munge.key (apt-get install munge creates it)"
  command -v munged >/dev/null || die "munged not found (run scripts/setup.sh)"
  mkdir -p /run/munge && chown munge:munge /run/munge && chmod 0755 /run/munge
  echo "cluster.sh: starting munged" >&2
  # Debian's way: as the munge user. As a fallback, root with --force.
  runuser -u munge -- /usr/sbin/munged 2>"$STATE/munged.err" ||
    /usr/sbin/munged --force 2>>"$STATE/munged.err" ||
    die "munged failed to start: $(cat "$STATE/munged.err")"
  for _ in $(seq 1 100); do
    if munge_works; then
      cat /run/munge/munged.pid >"$MUNGE_RECORD" 2>/dev/null ||
        pgrep -n -x munged >"$MUNGE_RECORD"
      return 0
    fi
    sleep 0.1
  done
  die "munged started but munge -n | unmunge still fails: $(tail -n 5 /var/log/munge/munged.log 2>/dev/null)"
}

port_free() { [[ -z "$(ss -Htlnu "sport = :$1" 2>/dev/null)" ]]; }

pick_ports() {
  local p
  for ((p = FIRST_PORT; p < FIRST_PORT + 200; p += 2)); do
    if port_free "$p" && port_free "$((p + 1))"; then CTLD_PORT=$p; SLURMD_PORT=$((p + 1)); return 0; fi
  done
  die "no free port pair in $FIRST_PORT..$((FIRST_PORT + 199))"
}

write_conf() {
  # The node's hardware as slurmd detects it, so the node is never drained for "Low RealMemory"
  # or a CPU count above the real one.
  local hw
  hw=$(slurmd -C 2>/dev/null | head -n 1) || die "slurmd -C failed"
  local -A h=()
  for kv in $hw; do h[${kv%%=*}]=${kv#*=}; done
  [[ -n "${h[CPUs]:-}" && -n "${h[RealMemory]:-}" ]] || die "cannot parse slurmd -C output: $hw"
  local topo="CPUs=${h[CPUs]}"
  for k in Boards SocketsPerBoard CoresPerSocket ThreadsPerCore; do
    [[ -n "${h[$k]:-}" ]] && topo+=" $k=${h[$k]}"
  done
  cat >"$CONF" <<EOF
# Written by tests/slurm/cluster.sh; a private test cluster, everything under $STATE.
ClusterName=$CLUSTER
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$STATE/state
SlurmdSpoolDir=$STATE/spool/%n
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$STATE/plugstack.conf
# No systemd and no usable cgroups on these VMs.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
# Debian's OpenMPI is built with PMIx only (no Slurm PMI-1/PMI-2).
MpiDefault=pmix
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$DEF_MEM_PER_CPU
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
# Without accounting, squeue/scontrol are the only record of finished jobs: keep them (600 s
# = 10 min unless CLUSTER_MIN_JOB_AGE says otherwise).
MinJobAge=$MIN_JOB_AGE
MailProg=/bin/true
NodeName=$NODE NodeAddr=127.0.0.1 $topo RealMemory=${h[RealMemory]} State=UNKNOWN
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
$EXTRA_CONF
EOF
  : >"$STATE/plugstack.conf"
  # PMIx's per-step client directories default to /tmp/spmix_appdir_<uid>_<job>.<step>, shared
  # by every cluster on this host: two test clusters both running their job 1 collide there
  # ("Cannot create client cli tmpdir ... File exists", the step fails to launch). Ours go here.
  mkdir -p "$STATE/pmix"
  echo "PMIxCliTmpDirBase=$STATE/pmix" >"$STATE/mpi.conf"
}

print_logs() {
  for f in "$STATE/log/slurmctld.log" "$STATE/log/slurmd.log" "$STATE/slurmctld.err" "$STATE/slurmd.err"; do
    [[ -s "$f" ]] || continue
    echo "----- $f (last 40 lines)" >&2
    tail -n 40 "$f" >&2
  done
}

start() {
  [[ "$(id -u)" -eq 0 ]] || die "must run as root (slurmd launches tasks as root here)"
  for b in slurmctld slurmd sinfo srun munge munged; do
    command -v "$b" >/dev/null || die "$b not found: run scripts/setup.sh (installs slurmctld slurmd slurm-client munge)"
  done
  stop_slurm || die "could not stop the stale cluster in $STATE"
  ensure_munge
  rm -rf "$STATE/state" "$STATE/spool" "$STATE/log" "$STATE/pmix"
  mkdir -p "$STATE/state" "$STATE/spool" "$STATE/log"
  pick_ports
  write_conf
  export SLURM_CONF="$CONF"
  slurmctld -i >"$STATE/slurmctld.err" 2>&1 || { print_logs; die "slurmctld failed to start"; }
  slurmd -N "$NODE" >"$STATE/slurmd.err" 2>&1 || { print_logs; die "slurmd failed to start"; }
  local state=""
  for _ in $(seq 1 $((START_TIMEOUT * 5))); do
    state=$(sinfo -h -n "$NODE" -o %T 2>/dev/null | head -n 1)
    [[ "$state" == idle ]] && {
      echo "cluster.sh: cluster '$CLUSTER' up (node $NODE idle, ports $CTLD_PORT/$SLURMD_PORT, SLURM_CONF=$CONF)" >&2
      return 0
    }
    sleep 0.2
  done
  echo "cluster.sh: node $NODE not idle after ${START_TIMEOUT}s (state: '${state:-no answer}')" >&2
  print_logs
  stop_slurm
  exit 1
}

case "$CMD" in
  start) start ;;
  stop)
    rc=0
    stop_slurm || rc=1
    stop_munge || rc=1
    exit $rc
    ;;
  env) printf 'export SLURM_CONF=%q\n' "$CONF" ;;
  *) usage ;;
esac
