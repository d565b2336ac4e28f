"""Figure 6's lines (plot = "suboptimality"): each cell at the LR whose seeds first reach the
target soonest, suboptimality curves averaged over seeds, speedups T(K = 1) / T(K, H) seed by
seed, all checked against values computed by hand from crafted run records; and the scale's
per-model base config and generated dataset that such runs use.
Run: python3 -m unittest discover -s tests/workflow -p '*_test.py'
"""
import json
import math

import hand_configs  # first: puts workflow/ on the path
import claims
import registry
import suboptimality_series as series
from scipy import stats

SCALE = hand_configs.scale_toml(seeds=(1, 2)) + """
[trainer]
"run.eval_every_epochs" = 0.5
[datasets.w8a]
name = "libsvm"
generated = "fashion-mnist-libsvm"
[models.logreg]
base_config = "logreg.toml"
lr = 0.1
overrides = { "optimizer.weight_decay" = 1e-4 }
"""

FIGURE = """id = "figure99"
kind = "figure"
caption = "convex"
analyses = ["suboptimality"]
[[runs]]
row = "K={K} H={H}"
col = "x{lr_factor}"
algorithm = "local"
workers = 4
local_batch = 8
local_steps = [1, 4]
lr_factor = [1, 2]
model = "logreg"
dataset = "w8a"
[[runs]]
row = "K=1"
col = "x{lr_factor}"
algorithm = "local"
workers = 1
local_batch = 8
lr_factor = [1, 2]
model = "logreg"
dataset = "w8a"
[[panels]]
suffix = "a"
plot = "suboptimality"
select = "^K=4"
target = 0.1
[[panels]]
suffix = "b"
plot = "suboptimality"
y = "speedup"
x = "workers"
target = 0.1
"""


class SuboptimalitySeriesTest(hand_configs.HandConfigsTest):
    scale_text = SCALE

    def setUp(self):
        super().setUp()
        (self.configs / "scales" / "logreg.toml").write_text("")
        (self.configs / "experiments" / "figure99.toml").write_text(FIGURE)
        self.reg = registry.build(self.configs, "hand")
        self.results = self.root / "results"

    def variant(self, row, lr_factor):
        exp_id, panel = self.reg.panel("figure99b")
        for _, spec, v in self.reg.panel_cells(exp_id, panel):
            if spec.row == row and spec.lr_factor == lr_factor:
                return v
        raise KeyError(row)

    def write(self, row, lr_factor, seed, curve):
        """A run's records: (time, suboptimality) per evaluation, None = diverged there."""
        v = self.variant(row, lr_factor)
        d = registry.run_dir(self.results, "hand", v.name, seed)
        d.mkdir(parents=True, exist_ok=True)
        (d / "metrics.jsonl").write_text("".join(
            json.dumps({"step": i, "epoch": i / 2, "objective": 1.0, "suboptimality": s}) + "\n"
            for i, (_, s) in enumerate(curve, 1)))
        (d / "timing.jsonl").write_text("".join(
            json.dumps({"step": i, "time_seconds": t}) + "\n" for i, (t, _) in enumerate(curve, 1)))

    def write_all(self, never=()):
        # K=1: LR x1 reaches 0.1 at 40 (seed 1) and 60 (seed 2); x2 at 30 and 50: x2 is chosen.
        self.write("K=1", 1, 1, [(20, 0.5), (40, 0.1), (60, 0.05)])
        self.write("K=1", 1, 2, [(20, 0.5), (40, 0.2), (60, 0.1)])
        self.write("K=1", 2, 1, [(10, 0.5), (30, 0.09), (50, 0.08)])
        self.write("K=1", 2, 2, [(10, 0.5), (30, 0.2), (50, 0.1)])
        # K=4 H=1: x1 reaches at 10 and 20, x2 never in seed 2 (inf ranks last): x1.
        self.write("K=4 H=1", 1, 1, [(10, 0.1), (20, 0.05)])
        self.write("K=4 H=1", 1, 2, [(10, 0.3), (20, 0.1)])
        self.write("K=4 H=1", 2, 1, [(10, 0.01), (20, 0.01)])
        self.write("K=4 H=1", 2, 2, [(10, 0.5), (20, None)])
        # K=4 H=4: neither LR reaches 0.1 in every seed unless asked; x2 ends lower (0.15).
        late = 0.2 if "K=4 H=4" in never else 0.1
        self.write("K=4 H=4", 1, 1, [(5, 0.3), (15, late)])
        self.write("K=4 H=4", 1, 2, [(5, 0.3), (15, 0.3)])
        self.write("K=4 H=4", 2, 1, [(5, 0.2), (15, 0.15)])
        self.write("K=4 H=4", 2, 2, [(5, 0.2), (15, 0.15)])

    def test_each_row_at_its_best_lr(self):
        self.write_all()
        lines, meta = series.compute(self.reg, "figure99a", self.results)
        self.assertEqual([label for label, _ in lines], ["K:4 B_loc:8 H:1", "K:4 B_loc:8 H:4"])
        self.assertEqual(meta[0][0]["chosen"]["lr"], 0.1)
        # x1 of H=1: at 10 the mean of 0.1 and 0.3, at 20 of 0.05 and 0.1; std of two values.
        (x0, m0, s0, n0), (x1, m1, s1, n1) = lines[0][1]
        self.assertEqual((x0, n0, x1, n1), (10, 2, 20, 2))
        self.assertAlmostEqual(m0, 0.2)
        self.assertAlmostEqual(s0, math.sqrt(2 * 0.1 ** 2))
        self.assertAlmostEqual(m1, 0.075)
        # H=4: no LR reaches 0.1 in both seeds: the lower mean final suboptimality, x2 (0.15).
        self.assertEqual(meta[1][0]["chosen"]["lr"], 0.2)
        self.assertFalse(meta[1][0]["reached"])

    def test_speedup_over_one_worker_seed_by_seed(self):
        self.write_all()
        lines, meta = series.compute(self.reg, "figure99b", self.results)
        self.assertEqual([label for label, _ in lines], ["H:1", "H:4"])
        # K=1 at x2: 30 and 50; K=4 H=1 at x1: 10 and 20 -> speedups 3 and 2.5.
        (k1, one, _, _), (k4, sp, sd, n) = lines[0][1]
        self.assertEqual((k1, one, k4, n), (1, 1.0, 4, 2))
        self.assertAlmostEqual(sp, 2.75)
        self.assertAlmostEqual(sd, math.sqrt(2 * 0.25 ** 2))
        self.assertEqual(meta[0][0]["chosen"]["lr"], 0.2)
        self.assertEqual(meta[0][0]["chosen"]["time_to_target"], {"1": 30, "2": 50})
        # H=4 never reaches the target at its best LR: only the K = 1 point, and said so.
        self.assertEqual([p[0] for p in lines[1][1]], [1])
        self.assertFalse(meta[1][1]["reached"])

    def test_a_scales_target_replaces_the_panels(self):
        self.write_all()
        self.write_scale(SCALE + "[targets]\nfigure99 = 0.3\n")
        reg = registry.build(self.configs, "hand")
        self.assertEqual(reg.panel_target("figure99b"), 0.3)
        lines, meta = series.compute(reg, "figure99b", self.results)
        # At 0.3 K=1 x2 reaches it at 30 in both seeds (x1 at 40), K=4 H=4 x2 at 5: H=4 now has a
        # point, 30 / 5 = 6 in both seeds.
        self.assertEqual(meta[0][0]["chosen"]["time_to_target"], {"1": 30, "2": 30})
        self.assertEqual(lines[1][1][1][:2], (4, 6.0))
        self.write_scale(SCALE + "[targets]\nfigure1 = 0.3\n")
        with self.assertRaises(registry.RegistryError):
            registry.build(self.configs, "hand")

    def test_a_baseline_that_never_reaches_the_target_is_an_error(self):
        self.write_all()
        for f in (1, 2):
            self.write("K=1", f, 2, [(10, 0.5), (30, 0.4)])
        with self.assertRaises(series.SuboptimalityError) as raised:
            series.compute(self.reg, "figure99b", self.results)
        self.assertIn("K = 1 baseline", str(raised.exception))

    def test_a_run_without_suboptimality_is_refused(self):
        self.write_all()
        v = self.variant("K=1", 1)
        d = registry.run_dir(self.results, "hand", v.name, 1)
        (d / "metrics.jsonl").write_text(json.dumps({"step": 1, "test_accuracy": 0.5}) + "\n")
        with self.assertRaises(series.SuboptimalityError) as raised:
            series.compute(self.reg, "figure99b", self.results)
        self.assertIn("no suboptimality", str(raised.exception))

    def claim_outcome(self, a_row, b_row, ratio):
        (self.configs / "claims.toml").write_text(f"""
[[claim]]
id = "c"
text = "A sooner than B"
source = "Figure 99"
experiment = "figure99"
metric = "time_to_suboptimality"
a = {{ row = "{a_row}" }}
b = {{ row = "{b_row}" }}
test = "ratio_at_least"
ratio = {ratio}
""")
        [outcome] = claims.evaluate_all(self.reg, claims.load(self.configs, self.reg.experiments),
                                        self.results / "hand" / "runs")
        return outcome

    def write_summaries(self):
        for v in self.reg.variants.values():
            for s in (1, 2):
                d = registry.run_dir(self.results, "hand", v.name, s)
                d.mkdir(parents=True, exist_ok=True)
                (d / "summary.json").write_text(json.dumps(
                    {"status": "completed", "best_test_accuracy": 0.8, "final_test_accuracy": 0.8}))

    def test_claim_compares_rows_at_their_best_lr(self):
        self.write_all()
        self.write_summaries()
        o = self.claim_outcome("K=4 H=1", "K=1", 2.0)
        # A at x1 (10, 20), B at x2 (30, 50): the ratio of geometric means, and Welch's interval
        # on the logs as scipy computes it.
        self.assertEqual((o.setup.a.name, o.setup.b.name),
                         (self.variant("K=4 H=1", 1).name, self.variant("K=1", 2).name))
        self.assertAlmostEqual(o.estimate, math.sqrt(30 * 50) / math.sqrt(10 * 20))
        ci = stats.ttest_ind([math.log(30), math.log(50)], [math.log(10), math.log(20)],
                             equal_var=False).confidence_interval(0.95)
        self.assertAlmostEqual(o.interval.low, math.exp(ci.low))
        self.assertAlmostEqual(o.interval.high, math.exp(ci.high))
        self.assertEqual(o.verdict, "inconclusive at this scale")   # 2 seeds: a wide interval

    def test_a_b_that_never_reaches_gives_a_lower_bound(self):
        self.write_all(never=("K=4 H=4",))
        self.write_summaries()
        # B (H=4) at x2 never reaches 0.1: its runs end at 15 and 15; A at 10 and 20.
        o = self.claim_outcome("K=4 H=1", "K=4 H=4", 0.01)
        self.assertAlmostEqual(o.estimate, 15 / math.sqrt(200))
        self.assertEqual(o.verdict, "reproduced")
        self.assertIn("lower bounds", o.reason)
        o = self.claim_outcome("K=4 H=1", "K=4 H=4", 1.0)
        self.assertEqual(o.verdict, "inconclusive at this scale")

    def test_a_claim_names_rows_only(self):
        for a, what in (('"K=4 H=1" , col = "x1"', "compares rows"), ('"K=9"', "no run of figure99")):
            (self.configs / "claims.toml").write_text(
                '[[claim]]\nid = "c"\ntext = "t"\nsource = "s"\nexperiment = "figure99"\n'
                'metric = "time_to_suboptimality"\ntest = "ratio_at_least"\nratio = 1.0\n'
                f'a = {{ row = {a} }}\nb = {{ row = "K=1" }}\n')
            with self.assertRaises(registry.RegistryError) as raised:
                claims.load(self.configs, self.reg.experiments)
            self.assertIn(what, str(raised.exception))

    def test_inputs_are_every_candidate_run(self):
        files = series.input_files(self.reg, "figure99b", self.results)
        # 3 cells x 2 LRs x 2 seeds x (metrics, timing)
        self.assertEqual(len(files), 24)

    def test_the_model_with_its_own_base_config(self):
        v = self.variant("K=1", 2)
        self.assertEqual(v.base_config, (self.configs / "scales" / "logreg.toml").resolve())
        over = dict(v.overrides)
        self.assertNotIn("run.eval_every_epochs", over)   # [trainer] adapts the scale's base config
        self.assertEqual(over["optimizer.weight_decay"], 1e-4)
        self.assertEqual(over["optimizer.lr"], 0.2)       # models.logreg.lr x lr_factor
        self.assertEqual(v.data_maker, "fashion-mnist-libsvm")
        path = registry.generated_files("results", "hand", v.data_maker)[0]
        self.assertEqual(v.set_args(seed=1, data_path=path)[-1], f'data.path="{path}"')
        self.assertEqual(path, "results/hand/data/fashion-mnist-libsvm/train")
        self.assertIn("libsvm-logreg-local-k1-b8-h1", v.name)

    def test_scale_mistakes_are_refused(self):
        for bad, what in (('generated = "fashion-mnist-libsvm"', "unknown keys"),
                          ('generated = "nope"', "not a maker"),
                          ('overrides = { "data.path" = "x" }', "no data.path")):
            text = SCALE.replace('generated = "fashion-mnist-libsvm"', bad)
            if what == "unknown keys":
                text = text.replace("[datasets.w8a]", "[datasets.w8a]\nmaker = 1")
            if what == "no data.path":
                text = text.replace('name = "libsvm"', 'name = "libsvm"\ngenerated = "fashion-mnist-libsvm"')
            self.write_scale(text)
            with self.assertRaises(registry.RegistryError) as raised:
                registry.build(self.configs, "hand")
            self.assertIn(what, str(raised.exception))

    def test_a_suboptimality_panel_needs_a_target(self):
        (self.configs / "experiments" / "figure99.toml").write_text(
            FIGURE.replace("target = 0.1\n", "", 1))
        with self.assertRaises(registry.RegistryError) as raised:
            registry.build(self.configs, "hand")
        self.assertIn("target", str(raised.exception))


if __name__ == "__main__":
    import unittest
    unittest.main()
