"""workflow/slurm_client_config.py and workflow/slurm_bin/srun: inside a Slurm job, SLURM_CONF
survives the Slurm job-step plugin, which removes every SLURM_* variable from the srun it starts.
The real cluster case is tests/slurm_workflow_test.sh and tests/slurm_requeue_test.sh (their
private clusters are found through SLURM_CONF only).
Run: python3 -m unittest discover -s tests/workflow -p '*_test.py'
"""
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

import hand_configs  # noqa: F401  first: puts workflow/ on the path
import slurm_client_config


class KeepTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.bin = Path(tmp.name) / "bin"
        self.bin.mkdir()
        # A stand-in for the real srun: prints the configuration it was given.
        self.real = self.bin / "srun"
        self.real.write_text('#!/bin/sh\necho "conf=${SLURM_CONF:-} server=${SLURM_CONF_SERVER:-}'
                             ' args=$*"\n')
        self.real.chmod(0o755)

    def job_env(self, **extra):
        return {"PATH": f"{self.bin}:/usr/bin:/bin", "SLURM_JOB_ID": "7", **extra}

    def test_outside_a_job_or_without_slurm_conf_nothing_changes(self):
        for env in ({"PATH": "/usr/bin", "SLURM_CONF": "/x/slurm.conf"},
                    self.job_env()):
            before = dict(env)
            self.assertFalse(slurm_client_config.keep(env))
            self.assertEqual(env, before)

    def test_the_jobstep_srun_gets_slurm_conf_back(self):
        env = self.job_env(SLURM_CONF="/opt/slurm/etc/slurm.conf")
        self.assertTrue(slurm_client_config.keep(env))
        self.assertEqual(env["PATH"].split(os.pathsep)[0], slurm_client_config.SHIM_DIR)
        self.assertEqual(env["LOCALSGD_SRUN"], str(self.real))
        self.assertEqual(env["LOCALSGD_SLURM_CONF"], "/opt/slurm/etc/slurm.conf")
        # Twice (the job step's snakemake, then the job's): PATH holds the shim once.
        self.assertTrue(slurm_client_config.keep(env))
        self.assertEqual(env["PATH"].split(os.pathsep).count(slurm_client_config.SHIM_DIR), 1)
        self.assertEqual(env["LOCALSGD_SRUN"], str(self.real))
        # What the job-step plugin does before its srun: drop every SLURM_* but the identity.
        step = {k: v for k, v in env.items() if not k.startswith("SLURM_") or k == "SLURM_JOB_ID"}
        out = subprocess.run("srun -n1 --cpu-bind=q true", shell=True, env=step,
                             capture_output=True, text=True, check=True).stdout
        self.assertEqual(out.strip(), "conf=/opt/slurm/etc/slurm.conf server= args=-n1 --cpu-bind=q true")
        # A process the step started (no SLURM_CONF, the saved one) keeps the shim first.
        self.assertTrue(slurm_client_config.keep(step))
        # A SLURM_CONF already set wins over the saved one; SLURM_CONF_SERVER is kept likewise.
        env = self.job_env(SLURM_CONF_SERVER="ctld:6817")
        self.assertTrue(slurm_client_config.keep(env))
        step = {k: v for k, v in env.items() if k != "SLURM_CONF_SERVER"}
        out = subprocess.run(["srun"], env={**step, "SLURM_CONF": "/mine"}, capture_output=True,
                             text=True, check=True).stdout
        self.assertEqual(out.strip(), "conf=/mine server=ctld:6817 args=")

    def test_without_a_real_srun_the_shim_says_so(self):
        env = {"PATH": slurm_client_config.SHIM_DIR, "LOCALSGD_SRUN": "/nonexistent/srun"}
        r = subprocess.run([os.path.join(slurm_client_config.SHIM_DIR, "srun")], env=env,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 127)
        self.assertIn("is not the real srun", r.stderr)


if __name__ == "__main__":
    unittest.main()
