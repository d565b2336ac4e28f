"""workflow/slurm_status_check.py: which clusters the Slurm plugin would hang on (it could never
learn that a job finished), and that the message says what to set. The real cluster case is
tests/slurm_status_test.sh.
Run: python3 -m unittest discover -s tests/workflow -p '*_test.py'
"""
import subprocess
import unittest

import hand_configs  # noqa: F401  first: puts workflow/ on the path
import slurm_status_check as check

NONE = "accounting_storage/none"
DBD = "accounting_storage/slurmdbd"


def config(min_age, storage):
    text = (f"Configuration data as of 2026-12-01T00:00:00\nAccountingStorageType   = {storage}\n"
            f"MinJobAge               = {min_age}\nSlurmctldPort           = 6817\n")
    return check.parse_config(text)


class ProblemTest(unittest.TestCase):
    def test_parse_config_and_seconds(self):
        c = config("300 sec", NONE)
        self.assertEqual(c["MinJobAge"], "300 sec")
        self.assertEqual(c["AccountingStorageType"], NONE)
        self.assertEqual([check.seconds(v) for v in ("300 sec", "600", "1h", None, "x")],
                         [300, 600, 3600, None, None])

    def test_without_accounting_a_short_min_job_age_is_refused(self):
        # The plugin's own fallback to sacct (MinJobAge < 3 x 40 s), which fails here.
        why = check.problem(config("10 sec", NONE), "squeue", 40, sacct_on_path=True)
        self.assertIn("MinJobAge=10 sec", why)
        self.assertIn("no job accounting", why)
        self.assertIn("the plugin uses sacct, not the profile's squeue", why)
        self.assertIn("set MinJobAge=200 or more", why)
        # squeue itself, when sacct is not on PATH: it loses jobs between its checks.
        why = check.problem(config("60 sec", NONE), "squeue", 2, sacct_on_path=False)
        self.assertIn("squeue forgets a finished job", why)
        self.assertIn("set MinJobAge=200 or more", why)
        self.assertNotIn("--slurm-status-command sacct", why)
        # squeue with 3 x init <= MinJobAge < 180 s: no fallback, but jobs can be lost.
        why = check.problem(config("150 sec", NONE), "squeue", 2, sacct_on_path=True)
        self.assertIn("squeue forgets a finished job", why)
        # sacct asked for explicitly, or by default when sacct exists: it can never answer.
        for command in ("sacct", None):
            with self.subTest(command=command):
                why = check.problem(config("600 sec", NONE), command, 40, sacct_on_path=True)
                self.assertIn("no job accounting", why)
                self.assertIn("keep `slurm-status-command: squeue`", why)

    def test_a_long_min_job_age_or_accounting_passes(self):
        self.assertIsNone(check.problem(config("300 sec", NONE), "squeue", 40, True))
        self.assertIsNone(check.problem(config("200 sec", NONE), "squeue", 2, True))
        self.assertIsNone(check.problem(config("600 sec", NONE), "squeue", 2, False))
        # 3 x init above MinJobAge: the requirement follows init.
        why = check.problem(config("300 sec", NONE), "squeue", 120, True)
        self.assertIn("set MinJobAge=360 or more", why)
        # With accounting, sacct works whatever MinJobAge.
        for command in ("sacct", "squeue", None):
            with self.subTest(command=command):
                self.assertIsNone(check.problem(config("10 sec", DBD), command, 40, True))
        # ... but squeue alone still needs MinJobAge; then sacct is the other way out.
        why = check.problem(config("150 sec", DBD), "squeue", 2, True)
        self.assertIn("pass --slurm-status-command sacct (accounting is on)", why)

    def test_check_reads_scontrol_and_raises(self):
        def scontrol(min_age):
            def run(cmd, **kwargs):
                self.assertEqual(cmd, ["scontrol", "show", "config"])
                return subprocess.CompletedProcess(
                    cmd, 0, f"AccountingStorageType = {NONE}\nMinJobAge = {min_age} sec\n", "")
            return run
        with self.assertRaises(check.SlurmStatusError) as raised:
            check.check("squeue", 40, run=scontrol(10))
        self.assertIn("MinJobAge=10 sec", str(raised.exception))
        check.check("squeue", 40, run=scontrol(300))   # no error
        # scontrol failing (no cluster): left to sbatch's own error.
        check.check("squeue", 40, run=lambda cmd, **kw: subprocess.CompletedProcess(cmd, 1, "", ""))


if __name__ == "__main__":
    unittest.main()
