"""The claims report (workflow/claims.py) end to end on hand-made run directories: effects,
intervals and verdicts against numbers worked out by hand below, diverged and unreached runs
named, claims the scale cannot test listed with why, and the files written.
Run: python3 -m unittest discover -s tests/workflow -p '*_test.py'
"""
import contextlib
import csv
import io
import math
import unittest

import hand_configs  # first: puts workflow/ on the path
import claims
import registry

TOL = 1e-6
E = math.exp

# table99: Base (mini-batch), Fast (post-local), Slow (local), Sign (not built: waits).
# Its time-to-accuracy target is 0.95 x Base's mean best accuracy.
DECLARATION = ('id = "table99"\nkind = "table"\ncaption = "hand"\nmetric = "time_to_accuracy"\n'
               'baseline = { row = "Base", col = "c" }\ntarget_fraction = 0.95\n'
               + hand_configs.run_toml("Base", "minibatch", col="c")
               + hand_configs.run_toml("Fast", "postlocal", col="c", local_steps=4)
               + hand_configs.run_toml("Slow", "local", col="c", local_steps=16)
               + hand_configs.run_toml("Sign", "planned-kind", col="c"))
# table98: only runs that wait.
WAITING = ('id = "table98"\nkind = "table"\ncaption = "waits"\n'
           + hand_configs.run_toml("Sign", "planned-kind") + hand_configs.run_toml("Other", "planned-kind"))

# (epoch, seconds, test accuracy) per evaluation, per row and seed.
POINTS = {
    "Base": {1: [(1, E(2.0), 0.50), (2, E(3.0), 0.88)],
             2: [(1, E(2.2), 0.50), (2, E(3.2), 0.89)],
             3: [(1, E(2.4), 0.50), (2, E(3.4), 0.93)]},
    "Fast": {1: [(1, E(1.0), 0.86), (2, E(2.0), 0.90)],
             2: [(1, E(1.2), 0.91), (2, E(2.2), 0.87)],   # its best is not its last
             3: [(1, E(1.4), 0.88), (2, E(2.4), 0.92)]},
    "Slow": {1: [(1, 5, 0.40), (2, 10, 0.60)],
             2: [(1, 5, 0.40), (2, 10, 0.61)],
             3: [(1, 5, 0.62), (2, 10, 0.40)]},   # its best is not its last
}
# Best accuracies in percent: Base 88, 89, 93 (mean 90, s^2 7); Fast 90, 91, 92 (mean 91,
# s^2 1); Slow 60, 61, 62 (mean 61, s^2 1).
#   Fast - Base: 1 point, se = sqrt(1/3 + 7/3) = 1.6329932, df 2.56 (see
#     claim_statistics_test), t 3.5154197: 1 -+ 5.7406564 = [-4.7406564, 6.7406564].
#   Slow - Base: -29 -+ 5.7406564 = [-34.7406564, -23.2593436]; Base - Slow its mirror.
# Whole training (the last evaluation): Base e^3, e^3.2, e^3.4 s, Fast e^2, e^2.2, e^2.4 s:
#   log speed-up 1 in every seed, s^2 0.04 per group, se = sqrt(2 x 0.04 / 3) = 0.1632993,
#   df 4, t 2.7764451: 1 -+ 0.4533916, speed-up e = 2.7182818 [1.7273845, 4.2775978].
# Target 0.95 x 90 % = 85.5 %: Fast reaches it at its first evaluation (e^1, e^1.2, e^1.4 s),
#   Base at its second (e^3, e^3.2, e^3.4 s), Slow never. Log speed-up 2 -+ 0.4533916:
#   e^2 = 7.3890561 [4.6955179, 11.6277163].
CLAIMS = """
[[claim]]
id = "fast-beats-base"
text = "Fast beats Base"
source = "Table 99"
experiment = "table99"
metric = "best_test_accuracy"
a = { row = "Fast", col = "c" }
b = { row = "Base", col = "c" }
test = "greater"

[[claim]]
id = "slow-beats-base"
text = "Slow beats Base"
source = "Table 99"
experiment = "table99"
metric = "best_test_accuracy"
a = { row = "Slow" }
b = { row = "Base" }
cols = ["c"]
test = "greater"

[[claim]]
id = "base-beats-slow"
text = "Base beats Slow"
source = "Table 99"
experiment = "table99"
metric = "best_test_accuracy"
a = { row = "Base", col = "c" }
b = { row = "Slow", col = "c" }
test = "greater"

[[claim]]
id = "fast-matches-base"
text = "Fast matches Base"
source = "Table 99"
experiment = "table99"
metric = "best_test_accuracy"
a = { row = "Fast", col = "c" }
b = { row = "Base", col = "c" }
test = "within"
margin = 0.5
margin_why = "hand-made"

[[claim]]
id = "fast-is-faster"
text = "Fast trains 1.5x faster"
source = "Table 99"
experiment = "table99"
metric = "training_seconds"
a = { row = "Fast", col = "c" }
b = { row = "Base", col = "c" }
test = "ratio_at_least"
ratio = 1.5

[[claim]]
id = "fast-reaches-the-target-10x-faster"
text = "Fast reaches the target 10x faster"
source = "Table 99"
experiment = "table99"
metric = "time_to_accuracy"
a = { row = "Fast", col = "c" }
b = { row = "Base", col = "c" }
test = "ratio_at_least"
ratio = 10.0

[[claim]]
id = "slow-reaches-the-target-faster"
text = "Slow reaches the target faster"
source = "Table 99"
experiment = "table99"
metric = "time_to_accuracy"
a = { row = "Slow", col = "c" }
b = { row = "Base", col = "c" }
test = "ratio_at_least"
ratio = 1.0

[[claim]]
id = "sign-beats-base"
text = "Sign beats Base"
source = "Table 99"
experiment = "table99"
metric = "best_test_accuracy"
a = { row = "Sign", col = "c" }
b = { row = "Base", col = "c" }
test = "greater"

[[claim]]
id = "waiting-experiment"
text = "Sign beats Other"
source = "Table 98"
experiment = "table98"
metric = "best_test_accuracy"
a = { row = "Sign" }
b = { row = "Other", col = "" }
test = "greater"
"""


class ClaimsReportTest(hand_configs.HandConfigsTest):
    scale_text = hand_configs.scale_toml(description="hand-made runs", seeds=(1, 2, 3))

    def setUp(self):
        super().setUp()
        (self.configs / "experiments" / "table99.toml").write_text(DECLARATION)
        (self.configs / "experiments" / "table98.toml").write_text(WAITING)
        (self.configs / "claims.toml").write_text(CLAIMS)

    def write_runs(self, diverge=(), scale="hand"):
        reg = registry.build(self.configs, scale)
        for spec, variant, _ in reg.statuses["table99"].cells:
            for seed, points in POINTS.get(spec.row, {}).items():
                hand_configs.write_run(self.root / "runs", variant.name, seed, points,
                                       diverged=(spec.row, seed) in diverge)
        return reg

    def outcomes(self, diverge=(), scale="hand") -> dict:
        reg = self.write_runs(diverge, scale)
        cl = claims.load(self.configs, reg.experiments)
        return {o.setup.claim.id: o for o in claims.evaluate_all(reg, cl, self.root / "runs")}

    def assertInterval(self, o, estimate, low, high):
        self.assertAlmostEqual(o.estimate, estimate, delta=TOL)
        self.assertAlmostEqual(o.interval.low, low, delta=TOL)
        self.assertAlmostEqual(o.interval.high, high, delta=TOL)

    def test_accuracy_claims_give_each_verdict(self):
        out = self.outcomes()
        self.assertInterval(out["fast-beats-base"], 1.0, -4.7406564, 6.7406564)
        self.assertAlmostEqual(out["fast-beats-base"].interval.df, 2.56, delta=TOL)
        self.assertEqual(out["fast-beats-base"].verdict, "inconclusive at this scale")
        self.assertInterval(out["slow-beats-base"], -29.0, -34.7406564, -23.2593436)
        self.assertEqual(out["slow-beats-base"].verdict, "not reproduced")
        self.assertInterval(out["base-beats-slow"], 29.0, 23.2593436, 34.7406564)
        self.assertEqual(out["base-beats-slow"].verdict, "reproduced")
        self.assertEqual(out["fast-matches-base"].verdict, "inconclusive at this scale")

    def test_time_claims_compare_geometric_means_on_a_log_scale(self):
        out = self.outcomes()
        self.assertInterval(out["fast-is-faster"], math.e, 1.7273845, 4.2775978)
        self.assertEqual(out["fast-is-faster"].verdict, "reproduced")
        self.assertEqual(out["fast-is-faster"].a.basis, "modelled")
        self.assertInterval(out["fast-reaches-the-target-10x-faster"], E(2), 4.6955179,
                            11.6277163)
        self.assertEqual(out["fast-reaches-the-target-10x-faster"].verdict,
                         "inconclusive at this scale")

    def test_runs_that_never_reach_the_target_are_named_and_make_it_inconclusive(self):
        o = self.outcomes()["slow-reaches-the-target-faster"]
        self.assertEqual(o.verdict, "inconclusive at this scale")
        self.assertEqual(o.reason, "A: 3 of 3 seeds never reached the target 85.50 % (their "
                                   "times are unknown)")
        self.assertEqual(len(o.a.unreached), 3)
        self.assertTrue(o.a.unreached[0].endswith("/local-k4-b8-h16/seed1"))

    def test_diverged_seeds_are_left_out_counted_and_named(self):
        out = self.outcomes(diverge={("Fast", 3)})
        o = out["fast-beats-base"]
        # Fast: 90 and 91 (mean 90.5, s^2 0.5) against Base 88, 89, 93 (mean 90, s^2 7):
        # se^2 = 0.25 + 7/3, df = (0.25 + 2.3333333)^2 / (0.25^2 / 1 + 2.3333333^2 / 2)
        # = 6.6736111 / 2.7847222 = 2.3965087.
        self.assertAlmostEqual(o.estimate, 0.5, delta=TOL)
        self.assertAlmostEqual(o.interval.df, 2.3965087, delta=TOL)
        self.assertEqual(o.a.diverged[0][-len("postlocal-k4-b8-h4/seed3"):],
                         "postlocal-k4-b8-h4/seed3")
        # Two of three diverged: one completed seed, no interval.
        o = self.outcomes(diverge={("Fast", 2), ("Fast", 3)})["fast-beats-base"]
        self.assertEqual(o.verdict, "inconclusive at this scale")
        self.assertEqual(o.reason, "A: 1 completed seed (an interval needs 2 per group)")
        self.assertIsNone(o.interval)
        self.assertAlmostEqual(o.estimate, 0.0, delta=TOL)   # 90 - 90: the estimate alone

    def test_claims_the_scale_cannot_test_say_why(self):
        out = self.outcomes()
        self.assertEqual(out["sign-beats-base"].verdict, "not testable at this scale")
        self.assertEqual(out["sign-beats-base"].reason, "A ('Sign' / 'c') waits for: planned-kind")
        self.assertEqual(out["waiting-experiment"].reason, "table98 waits for: planned-kind")
        # A scale without table99: its claims are not testable, and nothing else is.
        text = hand_configs.scale_toml("narrow", seeds=(1,)).replace(
            "lr = 0.1\n", 'lr = 0.1\nexperiments = ["table98"]\n')
        self.write_scale(text, "narrow")
        reg = registry.build(self.configs, "narrow")
        cl = claims.load(self.configs, reg.experiments)
        self.assertFalse(claims.testable(reg, cl))
        self.assertEqual(claims.claim_runs(reg, cl), [])
        why = claims.setups(reg, cl)[0].why_not
        self.assertEqual(why, "table99 is not among the experiments of configs/scales/narrow.toml")

    def test_a_group_the_scales_select_leaves_out_is_not_testable(self):
        self.write_scale(self.scale_text + '[select.table99]\nlocal_steps = [1, 16]\n')
        reg = registry.build(self.configs, "hand")
        cl = claims.load(self.configs, reg.experiments)
        why = {s.claim.id: s.why_not for s in claims.setups(reg, cl)}
        self.assertEqual(why["fast-beats-base"], "A ('Fast' / 'c') is not run at this scale "
                         "([select.table99] of configs/scales/hand.toml)")
        self.assertEqual(why["slow-beats-base"], "")   # Slow (H = 16) and Base (H = 1) stay

    def test_the_runs_a_scale_reads(self):
        reg = registry.build(self.configs, "hand")
        cl = claims.load(self.configs, reg.experiments)
        self.assertTrue(claims.testable(reg, cl))
        names = sorted({v.name for v, _ in claims.claim_runs(reg, cl)})
        self.assertEqual(names, ["local-k4-b8-h16", "minibatch-k4-b8", "postlocal-k4-b8-h4"])
        self.assertEqual(len(claims.claim_runs(reg, cl)), 3 * 3)

    def test_the_files(self):
        self.write_runs(diverge={("Fast", 3)})
        md_path, csv_path = self.root / "tables" / "claims.md", self.root / "tables" / "claims.csv"
        with contextlib.redirect_stdout(io.StringIO()):
            rc = claims.main([str(self.configs), "hand", str(self.root / "runs"), str(md_path),
                              str(csv_path)])
        self.assertEqual(rc, 0)
        md = md_path.read_text()
        self.assertIn("## Claims of the paper tested at scale `hand`", md)
        self.assertIn("| base-beats-slow: Base beats Slow | Table 99 | table99: A 'Base' / 'c' vs "
                      "B 'Slow' / 'c' | 3 of 3, 3 of 3 | 90.00 % | 61.00 % | "
                      "+29.00 points [+23.26, +34.74] | > 0 points | reproduced |", md)
        self.assertIn("| fast-is-faster: Fast trains 1.5x faster |", md)
        self.assertIn("Welch", md)
        self.assertIn("(modelled) | ≥ 1.5× | reproduced |", md)
        self.assertIn("- fast-beats-base: A: 1 of 3 diverged: ", md)
        self.assertIn("- fast-matches-base: margin 0.5 points: hand-made", md)
        self.assertIn("### Not testable at this scale", md)
        self.assertIn("- sign-beats-base (Table 99): Sign beats Base. Why: A ('Sign' / 'c') "
                      "waits for: planned-kind.", md)
        # Fast's seed 3 diverged: fast-is-faster is still reproduced (3.00x [1.83x, 4.94x]),
        # the target claim still inconclusive (8.17x [4.97x, 13.43x] against 10x).
        self.assertIn("| 2 of 3, 3 of 3 | 8.17 s | 24.5 s | 3.00× [1.83×, 4.94×] (modelled) |",
                      md)
        self.assertIn("Summary: 2 reproduced, 1 not reproduced, 4 inconclusive at this scale, "
                      "2 not testable at this scale.", md)
        rows = {r["claim"]: r for r in csv.DictReader(io.StringIO(csv_path.read_text()))}
        self.assertEqual(len(rows), 9)
        self.assertEqual(rows["slow-beats-base"]["column"], "c")
        self.assertEqual(rows["slow-beats-base"]["verdict"], "not reproduced")
        self.assertEqual(rows["slow-beats-base"]["diff_ci_low"], "-34.7407")
        self.assertEqual(rows["fast-beats-base"]["a_diverged"], "1")
        # Fast's seeds 1 and 2 (e^2, e^2.2 s) against Base's e^3.2 geometric mean: e^1.1.
        self.assertEqual(rows["fast-is-faster"]["speedup_time_ratio"], "3.0042")
        self.assertEqual(rows["fast-is-faster"]["diff_points"], "")
        self.assertEqual(rows["sign-beats-base"]["verdict"], "not testable at this scale")

    def test_a_broken_run_is_an_error_naming_the_file_and_no_file_is_left(self):
        reg = self.write_runs()
        base = [v for s, v, _ in reg.statuses["table99"].cells if s.row == "Base"][0]
        metrics = self.root / "runs" / base.name / "seed2" / "metrics.jsonl"
        metrics.write_text('{"epoch": 1, "step": 10}\n')
        out, err = self.root / "tables", io.StringIO()
        with contextlib.redirect_stderr(err):
            rc = claims.main([str(self.configs), "hand", str(self.root / "runs"),
                              str(out / "claims.md"), str(out / "claims.csv")])
        self.assertEqual(rc, 1)
        self.assertIn(f"{metrics}:1: test_accuracy = None is not a finite number", err.getvalue())
        self.assertFalse(out.exists())   # neither file, nor a temporary one

    def test_a_time_of_zero_is_an_error_naming_the_file(self):
        reg = self.write_runs()
        base = [v for s, v, _ in reg.statuses["table99"].cells if s.row == "Base"][0]
        d = hand_configs.write_run(self.root / "runs", base.name, 1, [(1, 0.0, 0.9)])
        with self.assertRaises(claims.timing_lib.TimingError) as raised:
            claims.evaluate_all(reg, claims.load(self.configs, reg.experiments), self.root / "runs")
        self.assertIn(f"{d / 'timing.jsonl'}: a time of 0.0 s", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
