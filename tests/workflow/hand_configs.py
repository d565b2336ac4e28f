"""Shared by the workflow tests (not a test module itself): a temporary configs/ tree with a
hand-made scale "hand" whose runs map onto the committed trainer description, so that
workflow/registry.py builds declarations written in a test, and their [[runs]] blocks.

    class MyTest(hand_configs.HandConfigsTest):
        scale_text = hand_configs.scale_toml(description="...", seeds=(1,))
        def test_x(self):
            (self.configs / "experiments" / "table99.toml").write_text(
                'id = "table99"\nkind = "table"\ncaption = "x"\n'
                + hand_configs.run_toml("Base", "minibatch"))
            reg = registry.build(self.configs, "hand")

write_run() makes a run directory as the trainer writes it, from (epoch, seconds, accuracy)
per evaluation.
"""
import json
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "workflow") not in sys.path:
    sys.path.insert(0, str(ROOT / "workflow"))


# An algorithm the tests' workflow plans but the trainer does not describe (HandConfigsTest).
PLANNED = "planned-kind"


def scale_toml(name="hand", description="hand-made", seeds=(1, 2)) -> str:
    """A scale of 3 epochs at lr 0.1 whose cifar10 is Fashion-MNIST and whose resnet20 is the
    base config's model (configs/scales/base.toml, empty)."""
    return f"""
name = "{name}"
description = "{description}"
base_config = "base.toml"
seeds = [{", ".join(str(s) for s in seeds)}]
local_batch_factor = 1.0
epochs = 3
lr = 0.1
[datasets.cifar10]
name = "fashion-mnist"
[models.resnet20]
"""


# An [analysis] table for a hand scale: small sizes for every localsgd-analyze job.
ANALYSIS = """
[analysis]
samples = 64
batch = 32
runtime = 10
mem_mb = 1000
[analysis.hessian]
top = 2
trace_probes = 4
density_steps = 8
[analysis.interpolate]
points = 3
[analysis.sharpness]
directions = 2
points = 3
epsilon = [1e-3, 5e-4]
lbfgs_iterations = 2
"""


def _toml(value) -> str:
    """A value as TOML: JSON's text, but a dict as an inline table."""
    if isinstance(value, dict):
        # Keys quoted: a dotted trainer key ("optimizer.noise_eta") is one key, not a nested table.
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def run_toml(row, algorithm, col=None, model="resnet20", **keys) -> str:
    """One [[runs]] block of a declaration: K = 4 workers at B_loc = 8 on cifar10, then `keys`
    (local_steps = 4, ...; a list declares one run per value)."""
    lines = ["[[runs]]", f"row = {json.dumps(row)}"]
    if col is not None:
        lines.append(f"col = {json.dumps(col)}")
    lines += [f"algorithm = {json.dumps(algorithm)}", "workers = 4", "local_batch = 8"]
    lines += [f"{k} = {_toml(v)}" for k, v in keys.items()]
    lines += [f"model = {json.dumps(model)}", 'dataset = "cifar10"']
    return "\n" + "\n".join(lines) + "\n"


def write_run(runs_dir, variant, seed, points, basis="modelled", local_from=None,
              diverged=False):
    """A hand-made run directory runs_dir/<variant>/seed<seed>/ as the trainer writes it:
    metrics.jsonl and timing.jsonl from `points`, (epoch, seconds, test accuracy) per
    evaluation at step 10 x epoch; summary.json (status, time_basis, local_from_epoch, best
    and final accuracy); config.toml with the default [comm] constants."""
    d = Path(runs_dir) / variant / f"seed{seed}"
    d.mkdir(parents=True, exist_ok=True)
    metrics = "".join(json.dumps({"epoch": e, "step": 10 * e, "test_accuracy": a}) + "\n"
                      for e, _, a in points)
    timing_lines = "".join(json.dumps({"step": 10 * e, "time_seconds": t}) + "\n"
                           for e, t, _ in points)
    (d / "metrics.jsonl").write_text(metrics)
    (d / "timing.jsonl").write_text(timing_lines)
    (d / "config.toml").write_text("[comm]\nlatency = 5e-05\nbandwidth = 1250000000.0\n"
                                   "block_latency = 5e-06\nblock_bandwidth = 10000000000.0\n")
    best = max(a for _, _, a in points)
    summary = {"status": "diverged" if diverged else "completed", "time_basis": basis,
               "local_from_epoch": local_from,
               "best_test_accuracy": None if diverged else best,
               "final_test_accuracy": None if diverged else points[-1][2]}
    (d / "summary.json").write_text(json.dumps(summary))
    return d


class HandConfigsTest(unittest.TestCase):
    """setUp: self.root, a temporary directory removed after the test, with
    self.configs = root/configs holding scales/base.toml (empty), scales/hand.toml
    (scale_text) and an empty experiments/. The workflow plans one algorithm the trainer does
    not have, PLANNED (its runs wait for it), whatever run_blocks.PLANNED_ALGORITHMS holds today."""
    scale_text = scale_toml()

    def setUp(self):
        from experiment_registry import run_blocks
        self.enterContext(mock.patch.object(run_blocks, "PLANNED_ALGORITHMS", (PLANNED,)))
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.root = Path(tmp.name)
        self.configs = self.root / "configs"
        (self.configs / "scales").mkdir(parents=True)
        (self.configs / "experiments").mkdir()
        (self.configs / "scales" / "base.toml").write_text("")
        self.write_scale(self.scale_text)

    def write_scale(self, text, name="hand"):
        """configs/scales/<name>.toml."""
        (self.configs / "scales" / f"{name}.toml").write_text(text)
