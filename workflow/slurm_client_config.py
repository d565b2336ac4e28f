"""Keeps the Slurm client configuration (SLURM_CONF, SLURM_CONF_SERVER) visible to the srun
calls inside the Slurm plugin's jobs.

snakemake-executor-plugin-slurm submits every job with `sbatch --export=ALL`, so the batch
script sees the SLURM_CONF the workflow was started with. But its job-step executor
(snakemake-executor-plugin-slurm-jobstep 0.6.1, the latest release) runs `srun -n1 ... snakemake`
(for MPI rules: the rule's command, whose `srun --mpi=pmix` starts the ranks) in an environment
from which it removed every SLURM_* variable but the job's identity, SLURM_CONF and
SLURM_CONF_SERVER included. On a cluster whose clients find their configuration only through
SLURM_CONF (a module-installed Slurm without /etc/slurm/slurm.conf) every such srun fails with
"srun: fatal: Could not establish a configuration source". No setting of either plugin changes
this, and sbatch options cannot: the plugin refuses --export in slurm_extra, and the variable is
removed after the batch script starts.

The job-step executor parses the Snakefile in the job, where the variables are still set, and
copies os.environ for its srun only afterwards: keep() (called by the Snakefile) saves them as
LOCALSGD_<name>, which survives, saves the real srun as LOCALSGD_SRUN, and puts
workflow/slurm_bin/ first on PATH, whose srun puts them back and runs the real one. Outside a
Slurm job, or without SLURM_CONF / SLURM_CONF_SERVER (the cluster's clients find
/etc/slurm/slurm.conf or a configless slurmd's cache on their own), it changes nothing.
"""
from __future__ import annotations

import os
import shutil

CONFIG_VARIABLES = ("SLURM_CONF", "SLURM_CONF_SERVER")
SAVED_PREFIX = "LOCALSGD_"
SHIM_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "slurm_bin")


def keep(environ=None, shim_dir=SHIM_DIR) -> bool:
    """In a Slurm job with SLURM_CONF or SLURM_CONF_SERVER set: save them, point PATH's srun
    at shim_dir's. Returns whether it did (or had done so before)."""
    environ = os.environ if environ is None else environ
    if not environ.get("SLURM_JOB_ID"):
        return False
    saved = False
    for var in CONFIG_VARIABLES:
        if environ.get(var):
            environ[SAVED_PREFIX + var] = environ[var]
            saved = True
        elif environ.get(SAVED_PREFIX + var):
            saved = True   # a process the job step started: the shim already on PATH
    if not saved or not os.access(os.path.join(shim_dir, "srun"), os.X_OK):
        return False
    path = [d for d in environ.get("PATH", "").split(os.pathsep)
            if d and os.path.realpath(d) != os.path.realpath(shim_dir)]
    real = shutil.which("srun", path=os.pathsep.join(path))
    if real is None:
        return False
    environ["LOCALSGD_SRUN"] = real
    environ["PATH"] = os.pathsep.join([shim_dir, *path])
    return True
