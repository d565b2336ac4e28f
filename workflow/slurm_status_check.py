"""Refuses, when a run through the slurm/ profile starts, a cluster on which the Slurm plugin
could not learn that its jobs finished and would wait forever.

snakemake-executor-plugin-slurm (2.8.0) learns a job's end from `squeue --states=all` or from
`sacct`:
  * sacct needs accounting (AccountingStorageType=accounting_storage/slurmdbd); without it sacct
    exits 1 ("Slurm accounting storage is disabled"), every status query fails, and the plugin
    drops the jobs from its list without an error: the run hangs.
  * squeue sees a finished job only for MinJobAge seconds after it ended. The plugin waits up to
    MAX_STATUS_INTERVAL (180 s) between two status checks, so a shorter MinJobAge loses jobs,
    which it then counts as still running: the run hangs too.
  * Even with `slurm-status-command: squeue` the plugin switches to sacct when
    MinJobAge < 3 x slurm-init-seconds-before-status-checks (and sacct is on PATH).
So without accounting MinJobAge must be at least max(3 x init, MAX_STATUS_INTERVAL + MARGIN);
with accounting, sacct works, and squeue only with that MinJobAge.

problem() decides from `scontrol show config` and the plugin's settings; check() runs it (the
Snakefile's onstart, executor slurm only) and raises with what to set.
"""
from __future__ import annotations

import re
import shutil
import subprocess

MAX_STATUS_INTERVAL = 180   # s: the plugin's longest wait between status checks (hard-coded)
MARGIN = 20                 # s: for the status queries themselves and slurmctld's purge timing
NO_ACCOUNTING = "accounting_storage/none"


class SlurmStatusError(RuntimeError):
    """The cluster's configuration would leave the run waiting forever."""


def parse_config(text: str) -> dict:
    """`scontrol show config` as {key: value}."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$", line)
        if m:
            out.setdefault(m.group(1), m.group(2))
    return out


def seconds(value: str | None) -> int | None:
    """MinJobAge as scontrol prints it ("300 sec", "600", "1h") in seconds."""
    m = re.match(r"^(\d+)\s*([a-zA-Z]*)", value or "")
    if not m:
        return None
    return int(m.group(1)) * (3600 if m.group(2).lower() in ("h", "hour", "hours") else 1)


def problem(config: dict, status_command: str | None, init_seconds: int,
            sacct_on_path: bool) -> str | None:
    """Why the plugin would hang on a cluster of this configuration, with what to set; None if
    it would not. status_command, init_seconds: the plugin's slurm-status-command and
    slurm-init-seconds-before-status-checks."""
    min_age = seconds(config.get("MinJobAge"))
    storage = config.get("AccountingStorageType", "")
    accounting = bool(storage) and storage != NO_ACCOUNTING
    needed = max(3 * init_seconds, MAX_STATUS_INTERVAL + MARGIN)
    command = status_command or ("sacct" if sacct_on_path else "squeue")
    switched = ""
    if command == "squeue" and sacct_on_path and (min_age is None or min_age < 3 * init_seconds):
        command = "sacct"   # the plugin's own fallback
        switched = (f" (the plugin uses sacct, not the profile's squeue, because MinJobAge="
                    f"{min_age} s < 3 x slurm-init-seconds-before-status-checks = "
                    f"{3 * init_seconds} s)")
    if command == "sacct" and not sacct_on_path:
        command = "squeue"
    where = (f"this cluster (scontrol show config: MinJobAge={config.get('MinJobAge', '?')}, "
             f"AccountingStorageType={storage or '?'})")
    fixes = (f"set MinJobAge={needed} or more in slurm.conf (then `scontrol reconfigure`; "
             f"it is how long slurmctld keeps finished jobs, and the plugin waits up to "
             f"{MAX_STATUS_INTERVAL} s between status checks), or enable accounting (slurmdbd, "
             "AccountingStorageType=accounting_storage/slurmdbd)")
    if command == "sacct" and not accounting:
        return (f"{where} has no job accounting, so sacct cannot report job states{switched}: "
                "the Slurm plugin would never see its jobs finish and would wait forever. "
                f"To run the workflow through Slurm here, {fixes}; with MinJobAge={needed} or "
                "more, keep `slurm-status-command: squeue` (slurm/profile.v9+.yaml).")
    if command == "squeue" and (min_age is None or min_age < needed):
        fix = ("pass --slurm-status-command sacct (accounting is on), or " if accounting
               else "") + fixes
        return (f"{where}: squeue forgets a finished job MinJobAge seconds after it ended, "
                f"sooner than the Slurm plugin's status checks may come ({MAX_STATUS_INTERVAL} s "
                "apart), and a job it no longer sees counts as running: the run could wait "
                f"forever. To run the workflow through Slurm here, {fix}.")
    return None


def check(status_command, init_seconds, run=subprocess.run) -> None:
    """problem() for the cluster `scontrol show config` describes; SlurmStatusError if any.
    Nothing when scontrol cannot answer (then sbatch fails with Slurm's own message)."""
    try:
        out = run(["scontrol", "show", "config"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return
    if out.returncode != 0:
        return
    why = problem(parse_config(out.stdout), status_command, int(init_seconds or 40),
                  shutil.which("sacct") is not None)
    if why:
        raise SlurmStatusError(why)
