"""The workflow refuses, at parse time, what would otherwise train the wrong thing or nothing:
an unknown scale (named, with the known ones), a block_size that does not divide workers
(naming the declaration, the run and both numbers), a mistyped algorithm (named, with the
known ones; before, its runs only "waited" for it and the table lost those rows) and a claim
of configs/claims.toml naming a row its experiment does not have. Each is
checked in the registry (workflow/registry.py) and through `snakemake -n` on a broken copy of
the workflow, which must exit non-zero with the message.
Run: python3 -m unittest discover -s tests/workflow -p '*_test.py'
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import hand_configs  # first: puts workflow/ on the path
import registry

ROOT = hand_configs.ROOT
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
if not SNAKEMAKE.exists():
    SNAKEMAKE = ROOT / ".venv" / "bin" / "snakemake"
DRY_RUN_TIMEOUT = 120   # seconds for one `snakemake -n` (about 4 s here)


def table(*runs) -> str:
    return 'id = "table99"\nkind = "table"\ncaption = "hand"\n' + "".join(runs)


class RegistryValidationTest(hand_configs.HandConfigsTest):
    scale_text = hand_configs.scale_toml(seeds=(1,))

    def build_error(self, scale="hand") -> str:
        with self.assertRaises(registry.RegistryError) as raised:
            registry.build(self.configs, scale)
        return str(raised.exception)

    def test_an_unknown_scale_is_named_with_the_known_ones(self):
        (self.configs / "scales" / "other.toml").write_text(
            hand_configs.scale_toml(name="other"))
        for name in ("nope", "../scales/hand"):
            with self.subTest(name=name):
                msg = self.build_error(name)
                self.assertIn(f"unknown scale {name!r}", msg)
                self.assertIn("known scales: base, hand, other", msg)

    def test_a_block_size_that_does_not_divide_workers_is_refused(self):
        decl = self.configs / "experiments" / "table99.toml"
        # K = 4: blocks of 1, 2 and 4 are fine ...
        decl.write_text(table(hand_configs.run_toml(
            "H^b={block_size}", "hierarchical", block_size=[1, 2, 4], block_steps=2,
            local_steps=1)))
        self.assertEqual(sorted(registry.build(self.configs, "hand").variants),
                         ["hierarchical-k4-b8-h1-bs1-hb2", "hierarchical-k4-b8-h1-bs2-hb2",
                          "hierarchical-k4-b8-h1-bs4-hb2"])
        # ... 3 is not: the message names the declaration, the run and both numbers.
        decl.write_text(table(hand_configs.run_toml(
            "H^b={block_size}", "hierarchical", block_size=[2, 3], block_steps=2,
            local_steps=1)))
        msg = self.build_error()
        self.assertIn("table99.toml", msg)
        self.assertIn("'hierarchical-k4-b8-h1-bs3-hb2'", msg)
        self.assertIn("at scale 'hand'", msg)
        self.assertIn("block_size 3 does not divide workers 4", msg)
        # A run that cannot be trained at this scale yet (a model the scale does not map) is
        # checked too, named by its row.
        decl.write_text(table(hand_configs.run_toml(
            "blocks of 3", "hierarchical", block_size=3, block_steps=2, local_steps=1,
            model="resnet56")))
        msg = self.build_error()
        self.assertIn("run 'blocks of 3'", msg)
        self.assertIn("block_size 3 does not divide workers 4", msg)

    def test_a_mistyped_algorithm_is_refused_naming_the_known_ones(self):
        decl = self.configs / "experiments" / "table99.toml"
        decl.write_text(table(hand_configs.run_toml("Base", "minibatch"),
                              hand_configs.run_toml("Post", "postlcoal", local_steps=4)))
        msg = self.build_error()
        self.assertIn("table99.toml: runs block #2", msg)
        self.assertIn("unknown algorithm 'postlcoal' (did you mean 'postlocal'?)", msg)
        self.assertIn("minibatch, local, postlocal, hierarchical", msg)   # the trainer's
        self.assertIn("planned-kind", msg)                                    # not built yet
        # A kind the trainer does not have yet, but the workflow knows of, still waits.
        decl.write_text(table(hand_configs.run_toml("Base", "minibatch"),
                              hand_configs.run_toml("Batches", "planned-kind")))
        status = registry.build(self.configs, "hand").statuses["table99"]
        self.assertEqual(status.line(), "table99: partial (1 runs ready); waiting for: planned-kind")


class DryRunValidationTest(unittest.TestCase):
    """`snakemake -n` on copies of the workflow, each broken in one way, all at once."""

    def copy_workflow(self, name) -> Path:
        wf = self.tmp / name
        wf.mkdir()
        shutil.copy(ROOT / "Snakefile", wf)
        for d in ("workflow", "configs", "profiles"):
            shutil.copytree(ROOT / d, wf / d, ignore=shutil.ignore_patterns("__pycache__"))
        (wf / "build").mkdir()
        for b in ("localsgd-train", "localsgd-analyze", "localsgd-microbench"):
            stub = wf / "build" / b
            stub.write_text("#!/bin/sh\necho 'stub: a dry run must not run it' >&2\nexit 1\n")
            stub.chmod(0o755)
        return wf

    def copy_with_typo(self, name, declaration, old, new) -> Path:
        """A workflow copy whose configs/experiments/<declaration> has `old` replaced by `new`."""
        wf = self.copy_workflow(name)
        path = wf / "configs" / "experiments" / declaration
        text = path.read_text()
        self.assertIn(old, text)
        path.write_text(text.replace(old, new, 1))
        return wf

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = Path(tmp.name)

    def test_dry_runs_fail_with_a_message_naming_the_problem(self):
        self.assertTrue(SNAKEMAKE.exists(), f"{SNAKEMAKE} not found (scripts/setup.sh creates .venv)")
        cases = {}   # name: (workflow copy, --config, expected fragments)
        wf = self.copy_workflow("scale")
        cases["unknown scale"] = (wf, ["scale=nope"],
                                  ["unknown scale 'nope'", "known scales: paper, small, small-full, smoke"])
        wf = self.copy_with_typo("blocks", "table17.toml", "block_size = [2, 4, 8]", "block_size = [2, 3, 8]")
        cases["block size"] = (wf, ["scale=small-full"], ["table17.toml", "'hierarchical-k16-b32-h1-bs3-hb16'",
                                        "block_size 3 does not divide workers 16"])
        wf = self.copy_with_typo("algorithm", "table3.toml", 'algorithm = "postlocal"', 'algorithm = "postlcoal"')
        cases["algorithm"] = (wf, [], ["table3.toml", "unknown algorithm 'postlcoal'",
                                       "did you mean 'postlocal'?", "minibatch, local, postlocal"])
        wf = self.copy_workflow("claims")
        claims = wf / "configs" / "claims.toml"
        claims.write_text(claims.read_text().replace('a = { row = "H=16" }',
                                                     'a = { row = "H = 16" }', 1))
        cases["claim"] = (wf, [], ["claims.toml: claim 'figure7-speedup-h16': a.row: no run of "
                                   "figure7 in row 'H = 16' (did you mean 'H=16'?)"])
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        procs = {}
        for name, (wf, config, _) in cases.items():
            cmd = [str(SNAKEMAKE), "-n", "--cores", "1"] + (["--config", *config] if config else [])
            procs[name] = subprocess.Popen(cmd, cwd=wf, env=env, stdout=subprocess.PIPE,
                                           stderr=subprocess.STDOUT, text=True)
        for name, proc in procs.items():
            with self.subTest(case=name):
                out, _ = proc.communicate(timeout=DRY_RUN_TIMEOUT)
                self.assertNotEqual(proc.returncode, 0, f"snakemake -n passed:\n{out[-2000:]}")
                for fragment in cases[name][2]:
                    self.assertIn(fragment, out)
                self.assertNotIn("Job stats", out)   # refused before planning any job


if __name__ == "__main__":
    unittest.main()
