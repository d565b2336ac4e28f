"""The flatness claims of the claims report (workflow/claims.py, metrics top_eigenvalue,
hessian_trace and epsilon_sharpness, test lower) end to end on hand-made runs and hand-made
localsgd-analyze outputs: ratios and intervals against numbers worked out by hand below, the
degenerate and non-positive cases, diverged seeds, the analysis files the Snakefile must
provide, and the errors naming the analysis file.
Run: python3 -m unittest discover -s tests/workflow -p '*_test.py'
"""
import contextlib
import csv
import io
import json
import math
import unittest

import hand_configs  # first: puts workflow/ on the path
import claims
import registry

TOL = 1e-6
E = math.exp
LN2 = math.log(2)


# figure99: the Hessian and sharpness of every row (panels a and b); panel c draws the
# Hessian of the post-local rows only, so figure98's mini-batch row has no Hessian job.
FIGURE = ('id = "figure99"\nkind = "figure"\ncaption = "hand"\n'
          'analyses = ["hessian-spectrum", "sharpness"]\n'
          + hand_configs.run_toml("mini-batch", "minibatch")
          + hand_configs.run_toml("post-local H={H}", "postlocal", local_steps=[4, 16])
          + '\n[[panels]]\nsuffix = "a"\nplot = "hessian"\ny = "eigenvalue"\n'
          + '\n[[panels]]\nsuffix = "b"\nplot = "sharpness"\n')
ONLY_POSTLOCAL = ('id = "figure98"\nkind = "figure"\ncaption = "hand"\n'
                  'analyses = ["hessian-spectrum"]\n'
                  + hand_configs.run_toml("mini-batch", "minibatch")
                  + hand_configs.run_toml("post-local H={H}", "postlocal", local_steps=[16])
                  + '\n[[panels]]\nplot = "hessian"\ny = "eigenvalue"\nselect = "^post-local"\n')

# Per row and seed: (top eigenvalue, trace, epsilon-sharpness in percent).
#   top eigenvalue, post-local H=16 (A) against mini-batch (B): logs 1, 1.2, 1.4 and 2, 2.2,
#     2.4, s^2 0.04 each, se = sqrt(2 x 0.04 / 3) = 0.1632993, df 4, t 2.7764451: log ratio
#     1 -+ 0.4533916, B / A = e = 2.7182818 [1.7273845, 4.2775978]: reproduced.
#   trace: 50 in every seed of both: ratio 1 with no spread, [1, 1]: not reproduced (equal
#     curvature is not flatter).
#   sharpness: A 2, 4, 8 and B 4, 8, 16 %: logs k ln 2, s^2 (ln 2)^2 each, se = ln 2 x
#     sqrt(2/3) = 0.5659523, df 4: log ratio ln 2 -+ 2.7764451 x 0.5659523 = ln 2 -+ 1.5713355,
#     B / A = 2 [e^-0.8781883, e^2.2644827] = [0.4155350, 9.6261435]: inconclusive.
#   post-local H=16 against H=4: H=4's top eigenvalue -1 in seed 1: no ratio, inconclusive.
CURVATURES = {
    "mini-batch": {1: (E(2.0), 50.0, 4.0), 2: (E(2.2), 50.0, 8.0), 3: (E(2.4), 50.0, 16.0)},
    "post-local H=16": {1: (E(1.0), 50.0, 2.0), 2: (E(1.2), 50.0, 4.0), 3: (E(1.4), 50.0, 8.0)},
    "post-local H=4": {1: (-1.0, 50.0, 1.0), 2: (E(1.5), 50.0, 1.0), 3: (E(1.5), 50.0, 1.0)},
}


def claim(ident, metric, a, b, experiment="figure99") -> str:
    return (f'[[claim]]\nid = "{ident}"\ntext = "{ident}"\nsource = "Figure 99"\n'
            f'experiment = "{experiment}"\nmetric = "{metric}"\na = {{ row = "{a}" }}\n'
            f'b = {{ row = "{b}" }}\ntest = "lower"\n')


CLAIMS = (claim("flatter-top", "top_eigenvalue", "post-local H=16", "mini-batch")
          + claim("flatter-trace", "hessian_trace", "post-local H=16", "mini-batch")
          + claim("flatter-sharpness", "epsilon_sharpness", "post-local H=16", "mini-batch")
          + claim("larger-h-flatter", "top_eigenvalue", "post-local H=16", "post-local H=4"))


class FlatnessClaimsTest(hand_configs.HandConfigsTest):
    scale_text = hand_configs.scale_toml(seeds=(1, 2, 3)) + hand_configs.ANALYSIS

    def setUp(self):
        super().setUp()
        (self.configs / "experiments" / "figure99.toml").write_text(FIGURE)
        (self.configs / "claims.toml").write_text(CLAIMS)
        self.results = self.root / "results"
        self.runs = self.results / "hand" / "runs"

    def write(self, diverge=(), drop=None):
        """The runs of figure99 and their analysis outputs; `drop` = (command, row, seed):
        that seed's record is left out of its analysis file."""
        reg = registry.build(self.configs, "hand")
        for spec, variant, _ in reg.statuses["figure99"].cells:
            hessian, sharpness = [], []
            for seed, (top, trace, sharp) in CURVATURES[spec.row].items():
                d = hand_configs.write_run(self.runs, variant.name, seed, [(1, 1.0, 0.5)],
                                           diverged=(spec.row, seed) in diverge)
                if (spec.row, seed) in diverge:
                    continue   # a diverged model: its analysis has no record of it
                if drop != ("hessian", spec.row, seed):
                    hessian.append({"run": str(d), "top_eigenvalue": top,
                                    "lanczos": {"eigenvalues": [top]},
                                    "trace": {"method": "hutch++", "estimate": trace,
                                                          "products": 6}})
                if drop != ("sharpness", spec.row, seed):
                    sharpness.append({"run": str(d), "epsilon_sharpness": [
                        {"epsilon": 1e-3, "sharpness_percent": sharp}]})
            for command, records in (("hessian", hessian), ("sharpness", sharpness)):
                prefix = registry.analysis_prefix(self.results, "hand", command, variant.name)
                prefix.parent.mkdir(parents=True, exist_ok=True)
                (prefix.parent / f"{prefix.name}.jsonl").write_text(
                    "".join(json.dumps(r) + "\n" for r in records))
        return reg

    def outcomes(self, **kwargs) -> dict:
        reg = self.write(**kwargs)
        cl = claims.load(self.configs, reg.experiments)
        return {o.setup.claim.id: o for o in claims.evaluate_all(reg, cl, self.runs)}

    def assertInterval(self, o, estimate, low, high):
        self.assertAlmostEqual(o.estimate, estimate, delta=TOL)
        self.assertAlmostEqual(o.interval.low, low, delta=TOL)
        self.assertAlmostEqual(o.interval.high, high, delta=TOL)

    def test_ratios_of_geometric_means_with_log_intervals(self):
        out = self.outcomes()
        self.assertInterval(out["flatter-top"], math.e, 1.7273845, 4.2775978)
        self.assertEqual(out["flatter-top"].verdict, "reproduced")
        self.assertEqual(out["flatter-top"].a.basis, "Lanczos")
        self.assertInterval(out["flatter-trace"], 1.0, 1.0, 1.0)
        self.assertEqual(out["flatter-trace"].a.basis, "hutch++, 6 products")
        self.assertEqual(out["flatter-trace"].verdict, "not reproduced")
        self.assertInterval(out["flatter-sharpness"], 2.0, 0.4155350, 9.6261435)
        self.assertEqual(out["flatter-sharpness"].verdict, "inconclusive at this scale")
        self.assertEqual(out["flatter-sharpness"].b.basis, "ε = 0.001")

    def test_a_curvature_of_at_most_zero_gives_no_ratio(self):
        o = self.outcomes()["larger-h-flatter"]
        self.assertEqual(o.verdict, "inconclusive at this scale")
        self.assertIsNone(o.interval)
        self.assertIn("a top_eigenvalue of at most 0", o.reason)
        self.assertIn("B: -1, ", o.reason)

    def test_diverged_seeds_are_left_out(self):
        o = self.outcomes(diverge={("post-local H=16", 3)})["flatter-top"]
        # A: e^1, e^1.2 (log mean 1.1, s^2 0.02); B: log mean 2.2, s^2 0.04:
        # log ratio 1.1, se^2 = 0.01 + 0.04 / 3.
        self.assertAlmostEqual(o.estimate, E(1.1), delta=TOL)
        self.assertEqual(len(o.a.diverged), 1)
        va, vb = 0.02 / 2, 0.04 / 3
        df = (va + vb) ** 2 / (va ** 2 / 1 + vb ** 2 / 2)
        self.assertAlmostEqual(o.interval.df, df, delta=TOL)

    def test_the_analysis_files_the_claims_read(self):
        reg = registry.build(self.configs, "hand")
        cl = claims.load(self.configs, reg.experiments)
        names = {v.name: row for row, v in ((s.row, v) for s, v, _ in
                                            reg.statuses["figure99"].cells)}
        files = claims.claim_analyses(reg, cl, "results")
        self.assertEqual(len(files), 5)   # the Hessian of 3 rows, the sharpness of 2
        for f in files:
            command, name = f.split("/")[-2], f.split("/")[-1][:-len(".jsonl")]
            self.assertTrue(f.startswith("results/hand/analysis/"))
            self.assertIn(command, ("hessian", "sharpness"))
            self.assertIn(name, names)
        self.assertEqual(sum(f.split("/")[-2] == "sharpness" for f in files), 2)

    def test_a_row_no_figure_analyses_is_not_testable(self):
        (self.configs / "experiments" / "figure99.toml").unlink()
        (self.configs / "experiments" / "figure98.toml").write_text(ONLY_POSTLOCAL)
        (self.configs / "claims.toml").write_text(
            claim("flatter", "top_eigenvalue", "post-local H=16", "mini-batch", "figure98"))
        reg = registry.build(self.configs, "hand")
        (s,) = claims.setups(reg, claims.load(self.configs, reg.experiments))
        self.assertEqual(s.why_not, "B ('mini-batch'): no figure of this scale runs its "
                                    "hessian analysis")

    def test_a_missing_record_or_trace_is_an_error_naming_the_analysis_file(self):
        reg = self.write(drop=("hessian", "mini-batch", 2))
        cl = claims.load(self.configs, reg.experiments)
        with self.assertRaises(claims.tables_lib.TableError) as raised:
            claims.evaluate_all(reg, cl, self.runs)
        self.assertIn("analysis/hessian/minibatch-k4-b8.jsonl: no record of run ", str(raised.exception))
        self.assertIn("minibatch-k4-b8/seed2 (a stale output?", str(raised.exception))
        path = registry.analysis_prefix(self.results, "hand", "hessian", "minibatch-k4-b8")
        f = path.parent / f"{path.name}.jsonl"
        self.write()   # every record again, then seed 1's without its trace
        f.write_text(f.read_text().replace(', "trace": {"method": "hutch++", "estimate": 50.0, '
                                       '"products": 6}', "", 1))
        with self.assertRaises(claims.tables_lib.TableError) as raised:
            claims.evaluate_all(reg, cl, self.runs)
        self.assertIn(f"{f}:1: no trace: the scale's [analysis.hessian] sets trace_probes = 0",
                      str(raised.exception))

    def test_the_report_rows(self):
        self.write()
        md_path = self.root / "tables" / "claims.md"
        csv_path = self.root / "tables" / "claims.csv"
        with contextlib.redirect_stdout(io.StringIO()):
            rc = claims.main([str(self.configs), "hand", str(self.runs), str(md_path),
                              str(csv_path)])
        self.assertEqual(rc, 0)
        md = md_path.read_text()
        # Geometric means: A e^1.2 = 3.320, B e^2.2 = 9.025.
        self.assertIn("| 3 of 3, 3 of 3 | 3.32 | 9.025 | 2.72× [1.73×, 4.28×] (Lanczos) | "
                      "B / A > 1× | reproduced |", md)
        self.assertIn("| 3 of 3, 3 of 3 | 4 % | 8 % | 2.00× [0.42×, 9.63×] (ε = 0.001) |", md)
        self.assertIn("Flatness effects", md)
        rows = {r["claim"]: r for r in csv.DictReader(io.StringIO(csv_path.read_text()))}
        self.assertEqual(rows["flatter-top"]["flatness_ratio"], "2.7183")
        self.assertEqual(rows["flatter-top"]["flatness_ci_low"], "1.7274")
        self.assertEqual(rows["flatter-top"]["curvature_basis"], "Lanczos")
        self.assertEqual(rows["flatter-top"]["speedup_time_ratio"], "")
        self.assertEqual(rows["flatter-top"]["diff_points"], "")


if __name__ == "__main__":
    unittest.main()
