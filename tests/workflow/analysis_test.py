"""Analyses of trained models in the registry and the workflow (Figures 4, 13, 14): panel
checks, the scale's [analysis] table, readiness and the analysis jobs, and the mean over seeds
of workflow/analysis_series.py on hand-made analysis outputs, against hand computations.
Run: python3 -m unittest discover -s tests/workflow -p '*_test.py'
"""
import json
import textwrap
import unittest
from pathlib import Path

import hand_configs  # first: puts workflow/ on the path
import analysis_series
import registry

ROOT = hand_configs.ROOT

ANALYSIS = hand_configs.ANALYSIS

SCALE = hand_configs.scale_toml(description="hand-made analyses")

RUNS = (hand_configs.run_toml("mini-batch", "minibatch")
        + hand_configs.run_toml("post-local H={H}", "postlocal", local_steps=[4, 16])
        + hand_configs.run_toml("unmapped", "minibatch", model="resnet32"))

PANELS = """
[[panels]]
suffix = "a"
plot = "hessian"
y = "eigenvalue"

[[panels]]
suffix = "b"
plot = "interpolation"
from = "mini-batch"
to = "post-local H=16"

[[panels]]
suffix = "c"
plot = "hessian"
y = "top_eigenvalue"
x = "local_steps"
select = "^post-local"
label = "post-local SGD"

[[panels]]
suffix = "d"
plot = "hessian"
y = "density"
log = "y"

[[panels]]
suffix = "e"
plot = "sharpness"

[[panels]]
suffix = "f"
plot = "interpolation"
from = "mini-batch"
to = "unmapped"
"""


class AnalysisTest(hand_configs.HandConfigsTest):
    scale_text = SCALE + ANALYSIS

    def scale(self, analysis):
        self.write_scale(SCALE + analysis)

    def figure(self, panels=PANELS, analyses='["hessian-spectrum", "interpolation", "sharpness"]',
               exp_id="figure99", runs=RUNS):
        (self.configs / "experiments" / f"{exp_id}.toml").write_text(
            f'id = "{exp_id}"\nkind = "figure"\ncaption = "hand"\nanalyses = {analyses}\n'
            + runs + textwrap.dedent(panels))
        return registry.build(self.configs, "hand")

    def assert_error(self, message, panels=None, analysis=None, analyses=None, where="figure99.toml"):
        if analysis is not None:
            self.scale(analysis)
        kwargs = {"panels": panels} if panels is not None else {}
        if analyses is not None:
            kwargs["analyses"] = analyses
        with self.assertRaises(registry.RegistryError) as raised:
            self.figure(**kwargs)
        self.assertIn(where, str(raised.exception))
        self.assertIn(message, str(raised.exception))

    # ------------------------------------------------------------------ declarations
    def test_panel_errors_name_the_declaration(self):
        for panels, message in (
                ('[[panels]]\nplot = "hessian"\ny = "curvature"\n', "y of plot hessian"),
                ('[[panels]]\nplot = "hessian"\ny = "top_eigenvalue"\n', "x of plot hessian"),
                ('[[panels]]\nplot = "hessian"\ny = "top_eigenvalue"\nx = "epoch"\n',
                 "a run key"),
                ('[[panels]]\nplot = "hessian"\nlabel = "all"\n', "label names the one line"),
                ('[[panels]]\nplot = "sharpness"\nfrom = "mini-batch"\n',
                 "from and to are for plot interpolation"),
                ('[[panels]]\nplot = "sharpness"\ny = "test_loss"\n', "y of plot sharpness"),
                ('[[panels]]\nplot = "interpolation"\nfrom = "mini-batch"\nto = "nope"\n',
                 "to must name the row of one run"),
                ('[[panels]]\nplot = "interpolation"\nfrom = "mini-batch"\n',
                 "to must name the row of one run"),
                ('[[panels]]\nplot = "interpolation"\nfrom = "mini-batch"\nto = "mini-batch"\n',
                 "from and to must be two rows"),
                ('[[panels]]\nplot = "interpolation"\nfrom = "mini-batch"\n'
                 'to = "post-local H=4"\nselect = "x"\n', "not select"),
                ('[[panels]]\nplot = "interpolation"\nfrom = "mini-batch"\n'
                 'to = "post-local H=4"\ny = ["train_loss", "sharpness"]\n',
                 "y of plot interpolation"),
                ('[[panels]]\nplot = "curves"\nlog = "y"\n', "log is x, y or xy")):
            with self.subTest(panels=panels):
                self.assert_error(message, panels=panels)

    def test_a_panel_draws_only_an_analysis_the_declaration_names(self):
        self.assert_error("which `analyses` must name", analyses='["hessian-spectrum"]',
                          panels='[[panels]]\nplot = "sharpness"\n')

    def test_interpolation_defaults_and_fields(self):
        reg = self.figure()
        _, p = reg.panel("figure99b")
        self.assertEqual((p.x, p.fields, p.ends), ("alpha", ("train_loss", "test_loss"),
                                                   ("mini-batch", "post-local H=16")))
        _, p = reg.panel("figure99a")
        self.assertEqual((p.x, p.y, p.per_row), ("index", "eigenvalue", True))

    # ------------------------------------------------------------------ scale [analysis]
    def test_analysis_settings_are_checked_and_name_the_scale_file(self):
        for analysis, message in (
                (ANALYSIS.replace("samples = 64\n", ""), "analysis.samples is required"),
                (ANALYSIS.replace("samples = 64", "samples = -1"), "analysis.samples must be"),
                (ANALYSIS.replace("batch = 32", "bacth = 32"), "unknown keys ['bacth']"),
                (ANALYSIS.replace("top = 2", "top = 0"), "analysis.hessian.top must be"),
                (ANALYSIS.replace("density_steps = 8", "density_steps = 0"),
                 "analysis.hessian.density_steps must be"),
                (ANALYSIS.replace("epsilon = [1e-3, 5e-4]", "epsilon = 1e-3"),
                 "analysis.sharpness.epsilon must be"),
                (ANALYSIS.replace("[analysis.interpolate]\npoints = 3\n", ""),
                 "[analysis.interpolate] is required"),
                (ANALYSIS.replace("density_steps = 8", 'density_steps = 8\nhvp = "finite"'),
                 "analysis.hessian.hvp must be 'autograd' or 'differences'"),
                (ANALYSIS + 'method = "exact"\n', "analysis.sharpness: unknown keys"),
                (ANALYSIS.replace("density_steps = 8", 'density_steps = 8\ntrace_method = "hutch"'),
                 "analysis.hessian.trace_method must be 'hutchinson' or 'hutch++'"),
                (ANALYSIS.replace("density_steps = 8", 'density_steps = 8\ntrace_method = "hutch++"'),
                 "trace_method 'hutch++' takes a multiple of 3 products, at least 6, got 4")):
            with self.subTest(message=message):
                self.assert_error(message, analysis=analysis, where="hand.toml")

    def test_analysis_arguments_come_from_the_scale(self):
        reg = self.figure()
        a = reg.scale.analysis
        self.assertEqual(a.arguments("sharpness"),
                         ["--directions", "2", "--points", "3", "--epsilon", "0.001,0.0005",
                          "--lbfgs-iterations", "2", "--samples", "64", "--batch", "32"])
        self.assertEqual(a.arguments("hessian")[:2], ["--top", "2"])
        self.assertNotIn("--hvp", a.arguments("hessian"))   # the analyzer's default: autograd
        self.assertEqual((a.threads, a.runtime, a.mem_mb), (0, 10, 1000))
        self.scale(ANALYSIS.replace("density_steps = 8", 'density_steps = 8\nhvp = "differences"'))
        args = self.figure().scale.analysis.arguments("hessian")
        self.assertEqual(args[args.index("--hvp") + 1], "differences")
        self.assertNotIn("--trace-method", args)   # the analyzer's default: hutchinson
        self.scale(ANALYSIS.replace("trace_probes = 4", 'trace_probes = 6\ntrace_method = "hutch++"'))
        args = self.figure().scale.analysis.arguments("hessian")
        self.assertEqual(args[args.index("--trace-method") + 1], "hutch++")
        self.assertEqual(args[args.index("--trace-probes") + 1], "6")

    def test_every_committed_scale_takes_exact_hessian_products(self):
        # Central differences are far off the Hessian of the ReLU ResNets (small.toml).
        for scale in ("smoke", "small", "paper"):
            with self.subTest(scale=scale):
                args = registry.build(ROOT / "configs", scale).scale.analysis.arguments("hessian")
                self.assertEqual(args[args.index("--hvp") + 1], "autograd")

    # ------------------------------------------------------------------ readiness and jobs
    def test_analysis_figures_are_ready_and_their_jobs_shared_by_panels(self):
        reg = self.figure()
        st = reg.statuses["figure99"]
        self.assertEqual(st.state, "partial")            # the resnet32 run is not mapped
        self.assertEqual(st.missing, ["model resnet32 mapped by scale hand"])
        # figure99f interpolates towards the unmapped run: not a target.
        self.assertEqual(reg.figures(), ["figure99a", "figure99b", "figure99c", "figure99d",
                                         "figure99e"])
        jobs = [(j.command, j.name) for j in reg.analysis_jobs()]
        mb, h4, h16 = "minibatch-k4-b8", "postlocal-k4-b8-h4", "postlocal-k4-b8-h16"
        self.assertEqual(jobs, [("hessian", mb), ("hessian", h4), ("hessian", h16),
                                ("interpolate", f"{mb}--{h16}"),
                                ("sharpness", mb), ("sharpness", h4), ("sharpness", h16)])
        self.assertEqual(str(reg.analysis_jobs()[0].prefix("results", "hand")),
                         f"results/hand/analysis/hessian/{mb}")
        self.assertEqual([j.name for j in reg.panel_jobs("figure99c")], [h4, h16])
        self.assertEqual(reg.analysis_job("hessian", h4), reg.panel_jobs("figure99c")[0])
        with self.assertRaises(KeyError):
            reg.analysis_job("hessian", "nope")

    def test_figures_analysing_the_same_runs_share_the_jobs(self):
        # figure98 takes the Hessian of figure99's mini-batch run and H=16 run, and of a run of
        # its own (H=8): two of its three jobs are figure99's, and are listed once.
        self.figure()
        reg = self.figure(exp_id="figure98", analyses='["hessian-spectrum"]',
                          runs=RUNS.replace("local_steps = [4, 16]", "local_steps = [8, 16]"),
                          panels='[[panels]]\nsuffix = "a"\nplot = "hessian"\n')
        mb, h8, h16 = "minibatch-k4-b8", "postlocal-k4-b8-h8", "postlocal-k4-b8-h16"
        self.assertEqual([j.name for j in reg.panel_jobs("figure98a")], [mb, h8, h16])
        hessians = [j.name for j in reg.analysis_jobs() if j.command == "hessian"]
        self.assertEqual(sorted(hessians), sorted([mb, h8, h16, "postlocal-k4-b8-h4"]))
        prefixes = {j.name: j.prefix("results", "hand") for j in reg.panel_jobs("figure99a")}
        self.assertEqual(reg.panel_jobs("figure98a")[0].prefix("results", "hand"), prefixes[mb])
        self.assertEqual(analysis_series.input_files(reg, "figure98a", "results")[0],
                         f"results/hand/analysis/hessian/{mb}.jsonl")

    def test_without_analysis_settings_the_figure_waits(self):
        self.scale("")
        reg = self.figure()
        st = reg.statuses["figure99"]
        self.assertEqual(st.state, "waiting")
        self.assertIn("[analysis] in configs/scales/hand.toml", st.line())
        self.assertEqual(reg.figures(), [])

    def test_the_analyses_count_as_drawable(self):
        for name in ("hessian-spectrum", "interpolation", "sharpness"):
            self.assertIn(name, registry.FIGURE_ANALYSES)

    def test_the_committed_figures_are_targets_at_every_scale(self):
        for scale in ("smoke", "small-full", "paper"):   # small runs only Figure 4 of them
            reg = registry.build(ROOT / "configs", scale)
            with self.subTest(scale=scale):
                for fig in ("figure4a", "figure4b", "figure13", "figure14a", "figure14b",
                            "figure14c"):
                    self.assertIn(fig, reg.figures())
                commands = [j.command for j in reg.analysis_jobs()]
                self.assertEqual((commands.count("hessian"), commands.count("interpolate"),
                                  commands.count("sharpness")), (4, 1, 3))
                # Figure 4 (a) reads two of Figure 14's four Hessian jobs.
                fig14 = {j.name for t in ("figure14a", "figure14b", "figure14c")
                         for j in reg.panel_jobs(t)}
                self.assertLessEqual({j.name for j in reg.panel_jobs("figure4a")}, fig14)

    # ------------------------------------------------------------------ mean over seeds
    def write(self, reg, job, ext, records):
        path = Path(str(job.prefix(self.root / "results", "hand")) + ext)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(r) + "\n" for r in records))

    def run_dir(self, variant, seed):
        return str(registry.run_dir(self.root / "results", "hand", variant, seed))

    def fake_outputs(self, reg):
        """Seed 1 and 2 of every job; values chosen so that means are easy by hand."""
        top = {"minibatch-k4-b8": 10.0, "postlocal-k4-b8-h4": 6.0, "postlocal-k4-b8-h16": 4.0}
        for job in reg.analysis_jobs():
            v = job.variants[0].name
            if job.command == "hessian":
                recs = [{"run": self.run_dir(v, s), "top_eigenvalue": top[v] + (s - 1) * 2,
                         "lanczos": {"eigenvalues": [top[v] + (s - 1) * 2, 1.0 * s]},
                         "trace": {"estimate": 100.0}} for s in (1, 2)]
                self.write(reg, job, ".jsonl", recs)
                # seed 1 on [0, 2], seed 2 on [1, 3]: one grid over [0, 3] with 3 points
                dens = [{"run": self.run_dir(v, 1), "eigenvalue": x, "density": d}
                        for x, d in ((0.0, 0.0), (1.0, 2.0), (2.0, 0.0))]
                dens += [{"run": self.run_dir(v, 2), "eigenvalue": x, "density": d}
                         for x, d in ((1.0, 0.0), (2.0, 4.0), (3.0, 0.0))]
                self.write(reg, job, ".density.jsonl", dens)
            elif job.command == "sharpness":
                self.write(reg, job, ".curve.jsonl", [
                    {"run": self.run_dir(v, s), "alpha": a, "mean_train_loss": s + abs(a)}
                    for s in (1, 2) for a in (-1.0, 0.0, 1.0)])
            else:
                self.write(reg, job, ".jsonl", [
                    {"from_run": self.run_dir(v, s), "alpha": a, "train_loss": s * a,
                     "test_loss": 1.0, "train_accuracy": 0.5, "test_accuracy": 0.5}
                    for s in (1, 2) for a in (0.0, 1.0)])

    def lines_of(self, reg, target):
        return analysis_series.compute(reg, target, self.root / "results")

    def test_the_mean_over_seeds_of_each_plot(self):
        reg = self.figure()
        self.fake_outputs(reg)
        eig = self.lines_of(reg, "figure99a")
        self.assertEqual([label for label, _ in eig],
                         ["mini-batch", "post-local H:4", "post-local H:16"])
        # mini-batch: index 1 has 10 and 12 (mean 11, std sqrt(2)), index 2 has 1 and 2.
        (i1, m1, s1, n1), (i2, m2, _, _) = eig[0][1]
        self.assertEqual((i1, m1, n1, i2, m2), (1, 11.0, 2, 2, 1.5))
        self.assertAlmostEqual(s1, 2 ** 0.5)
        vs_h = self.lines_of(reg, "figure99c")
        self.assertEqual(vs_h[0][0], "post-local SGD")
        self.assertEqual([(x, m) for x, m, _, _ in vs_h[0][1]], [(4, 7.0), (16, 5.0)])
        dens = self.lines_of(reg, "figure99d")[0][1]
        # grid 0, 1.5, 3: seed 1 gives 0, 1, 0; seed 2 gives 0, 2, 0 -> means 0, 1.5, 0,
        # and the log-y panel draws the zeros at the floor.
        self.assertEqual([(x, m) for x, m, _, _ in dens],
                         [(0.0, analysis_series.DENSITY_FLOOR), (1.5, 1.5),
                          (3.0, analysis_series.DENSITY_FLOOR)])
        interp = self.lines_of(reg, "figure99b")
        self.assertEqual([label for label, _ in interp], ["train loss", "test loss"])
        self.assertEqual([(x, m) for x, m, _, _ in interp[0][1]], [(0.0, 0.0), (1.0, 1.5)])
        sharp = self.lines_of(reg, "figure99e")[0][1]
        self.assertEqual([(x, m) for x, m, _, _ in sharp], [(-1.0, 2.5), (0.0, 1.5), (1.0, 2.5)])

    def test_written_lines_are_what_lines_reads(self):
        reg = self.figure()
        self.fake_outputs(reg)
        files = analysis_series.write(reg, "figure99c", self.root / "results", self.root / "out")
        self.assertEqual([f.name for f in files], ["1.jsonl"])
        first = json.loads(files[0].read_text().splitlines()[0])
        self.assertEqual(first, {"local_steps": 4, "mean": 7.0, "std": 2 ** 0.5, "seeds": 2})
        meta = json.loads((self.root / "out" / "lines.json").read_text())
        self.assertEqual(meta[0]["label"], "post-local SGD")

    def test_an_infinite_loss_leaves_its_alpha_out_of_the_line(self):
        # The analyzer writes an overflowed loss as null (far along the interpolation the
        # model diverges): a result, so the point is left out rather than the job failing.
        reg = self.figure()
        self.fake_outputs(reg)
        job = reg.panel_jobs("figure99b")[0]
        v = job.variants[0].name
        self.write(reg, job, ".jsonl", [
            {"from_run": self.run_dir(v, s), "alpha": a,
             "train_loss": None if (a, s) == (1.0, 2) else s * a, "test_loss": 1.0,
             "train_accuracy": 0.5, "test_accuracy": 0.5}
            for s in (1, 2) for a in (0.0, 1.0)])
        interp = self.lines_of(reg, "figure99b")
        self.assertEqual([(x, m) for x, m, _, _ in interp[0][1]], [(0.0, 0.0)])   # train loss
        self.assertEqual([(x, m) for x, m, _, _ in interp[1][1]], [(0.0, 1.0), (1.0, 1.0)])

    def test_a_stale_or_missing_output_is_an_error_naming_the_file(self):
        reg = self.figure()
        self.fake_outputs(reg)
        job = reg.panel_jobs("figure99e")[0]
        path = str(job.prefix(self.root / "results", "hand")) + ".curve.jsonl"
        Path(path).write_text(json.dumps({"run": "elsewhere", "alpha": 0.0,
                                          "mean_train_loss": 1.0}) + "\n")
        with self.assertRaises(analysis_series.SeriesError) as raised:
            self.lines_of(reg, "figure99e")
        self.assertIn(path, str(raised.exception))
        self.assertIn("stale", str(raised.exception))
        Path(path).unlink()
        with self.assertRaises(analysis_series.SeriesError) as raised:
            self.lines_of(reg, "figure99e")
        self.assertIn(path, str(raised.exception))


if __name__ == "__main__":
    unittest.main()
