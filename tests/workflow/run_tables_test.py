"""Tables of training runs (workflow/tables.py: accuracy, time to accuracy, speedups) on
hand-made runs, against numbers worked out by hand below.
Run: python3 -m unittest discover -s tests/workflow -p '*_test.py'
"""
import textwrap
import unittest

import hand_configs  # first: puts workflow/ on the path
import registry
import tables
import timing

# Row "Base" is the baseline; "Fast" reaches the target early; "Slow" never does.
RUNS = (hand_configs.run_toml("Base", "minibatch", col="c")
        + hand_configs.run_toml("Fast", "postlocal", col="c", local_steps=4)
        + hand_configs.run_toml("Slow", "local", col="c", local_steps=16))

# The target of the to-target tables: 0.95 x the mean best accuracy of Base.
TO_TARGET = 'baseline = { row = "Base", col = "c" }\ntarget_fraction = 0.95\n'

# (epoch, seconds, test accuracy) per evaluation, per row and seed.
POINTS = {
    "Base": {1: [(1, 10, 0.50), (2, 20, 0.78), (3, 30, 0.80)],
             2: [(1, 10, 0.60), (2, 20, 0.70), (3, 30, 0.84)]},
    "Fast": {1: [(1, 4, 0.78), (2, 8, 0.79), (3, 13, 0.80)],
             2: [(1, 4, 0.70), (2, 8, 0.78), (3, 12, 0.78)]},
    "Slow": {1: [(1, 5, 0.40), (2, 10, 0.50), (3, 15, 0.60)],
             2: [(1, 5, 0.40), (2, 10, 0.50), (3, 15, 0.60)]},
}
# Base: mean best (0.80 + 0.84) / 2 = 0.82, so the target at 0.95 is 0.779.
#   Time to 0.779: Base 20 and 30 s (mean 25), Fast 4 and 8 s (mean 6, std 2.83), Slow never.
#   Speedup to target: 25 / 6 = 4.17. Whole training: 30 / ((13 + 12) / 2) = 2.40.
#   Post-local phase (Fast goes local at epoch 2): Fast 13 - 8 = 5 and 12 - 8 = 4 (mean 4.5),
#   Base over the same epochs 30 - 20 = 10: 10 / 4.5 = 2.22.


class RunTablesTest(hand_configs.HandConfigsTest):
    scale_text = hand_configs.scale_toml(description="hand-made runs")
    write_run_switch = 2.0   # the epoch post-local runs go local at

    def table(self, metric_lines, basis="modelled", diverge=(), scale="hand"):
        (self.root / "configs" / "experiments" / "table99.toml").write_text(
            'id = "table99"\nkind = "table"\ncaption = "hand"\n'
            + textwrap.dedent(metric_lines) + RUNS)
        reg = registry.build(self.root / "configs", scale)
        for spec, variant, _ in reg.statuses["table99"].cells:
            for seed, points in POINTS[spec.row].items():
                self.write_run(variant.name, seed, points, basis,
                               local_from=self.write_run_switch if spec.algorithm == "postlocal"
                               else None,
                               diverged=(spec.row, seed) in diverge)
        md, csv_text, _ = tables.experiment_tables(self.root / "configs", scale, "table99",
                                                   self.root / "runs")
        cells = {}
        for line in md.splitlines():
            parts = [p.strip() for p in line.strip("|").split("|")]
            if parts[0] in POINTS:
                cells[parts[0]] = parts[1]
        return cells, md, csv_text

    def write_run(self, variant, seed, points, basis, local_from, diverged):
        hand_configs.write_run(self.root / "runs", variant, seed, points, basis, local_from,
                               diverged)

    # Best accuracies in percent: Base 80 and 84 (mean 82, sample std sqrt(2 x 2^2 / 1) = 2.83),
    # Fast 80 and 78 (79 +- 1.41); final ones Base 80 and 84, Fast 80 and 78, Slow 60 and 60.
    def test_best_and_final_accuracy(self):
        best, _, csv_text = self.table('metric = "best_test_accuracy"\n')
        self.assertEqual(best, {"Base": "82.00 ± 2.83 (n=2)", "Fast": "79.00 ± 1.41 (n=2)",
                                "Slow": "60.00 ± 0.00 (n=2)"})
        self.assertIn("Base,c,minibatch-k4-b8,minibatch,4,8,1,,2,82.0000,2.8284,", csv_text)
        final, md, _ = self.table('metric = "final_test_accuracy"\n')
        self.assertEqual(final["Fast"], "79.00 ± 1.41 (n=2)")
        self.assertIn("final test accuracy in percent", md)

    def test_diverged_seeds_are_left_out_and_counted(self):
        cells, _, csv_text = self.table('metric = "best_test_accuracy"\n',
                                        diverge={("Fast", 2), ("Slow", 1), ("Slow", 2)})
        self.assertEqual(cells["Fast"], "80.00 (1 of 2 diverged) (n=2)")
        self.assertEqual(cells["Slow"], "diverged (2 of 2) (n=2)")
        slow = [r for r in csv_text.splitlines() if r.startswith("Slow,")][0].split(",")
        self.assertEqual(slow[9:11], ["", ""])  # no mean, no std

    def test_one_seed_shows_the_mean_alone(self):
        self.write_scale(hand_configs.scale_toml("one", "hand-made runs", seeds=(1,)), "one")
        cells, _, _ = self.table('metric = "best_test_accuracy"\n', scale="one")
        self.assertEqual(cells["Base"], "80.00")

    def test_a_bad_or_missing_summary_is_an_error_naming_the_file(self):
        self.table('metric = "best_test_accuracy"\n')
        reg = registry.build(self.root / "configs", "hand")
        base = [v for s, v, _ in reg.statuses["table99"].cells if s.row == "Base"][0]
        summary = self.root / "runs" / base.name / "seed2" / "summary.json"
        summary.write_text('{"status": "running"}')
        with self.assertRaises(tables.TableError) as raised:
            tables.experiment_tables(self.root / "configs", "hand", "table99", self.root / "runs")
        self.assertIn(f"{summary}: status 'running'", str(raised.exception))
        summary.unlink()
        out = self.root / "tables"
        with self.assertRaises(tables.TableError) as raised:
            tables.write_experiment(self.root / "configs", "hand", "table99", self.root / "runs",
                                    out / "t.md", out / "t.csv", out / "t.tex")
        self.assertIn(str(summary), str(raised.exception))
        self.assertFalse(out.exists())  # no table, and no temporary file, is left behind

    def test_a_calibrated_compute_is_named_in_the_caption(self):
        _, md, _ = self.table('metric = "time_to_accuracy"\n' + TO_TARGET)
        self.assertIn("the measured compute time / K", md)
        for config in (self.root / "runs").glob("*/seed*/config.toml"):
            config.write_text(config.read_text() + "compute_step_seconds = 0.003\n"
                              "compute_sample_seconds = 0.0002\n")
        md, _, _ = tables.experiment_tables(self.root / "configs", "hand", "table99",
                                            self.root / "runs")
        self.assertIn("calibrated: 3 ms + 200 µs per sample of the local batch, per step", md)
        self.assertNotIn("measured compute", md)

    def test_labels_naming_a_batch_get_the_batch_as_trained(self):
        (self.root / "configs" / "experiments" / "table99.toml").write_text(
            'id = "table99"\nkind = "table"\ncaption = "hand"\nmetric = "best_test_accuracy"\n'
            + hand_configs.run_toml("Base", "minibatch", col="K·B=2048"))
        reg = registry.build(self.root / "configs", "hand")
        for spec, variant, _ in reg.statuses["table99"].cells:
            for seed, points in POINTS["Base"].items():
                self.write_run(variant.name, seed, points, "modelled", None, False)
        md, _, _ = tables.experiment_tables(self.root / "configs", "hand", "table99",
                                            self.root / "runs")
        # run_toml's K = 4 and B_loc = 8; the row "Base" names no batch.
        self.assertIn("Batches as trained (the labels give the paper's): K·B=2048: K = 4 × "
                      "B_loc = 8 = 32.", md)

    def test_time_to_accuracy(self):
        cells, md, csv_text = self.table('metric = "time_to_accuracy"\n' + TO_TARGET)
        self.assertEqual(cells["Base"], "25.0 ± 7.07 s (n=2)")
        self.assertEqual(cells["Fast"], "6.00 ± 2.83 s (n=2)")
        self.assertEqual(cells["Slow"], "not reached (n=2)")
        self.assertIn("= 77.90 %", md)
        self.assertIn("Times are modelled", md)
        self.assertIn("latency 50 µs and 1.25 GB/s between blocks", md)
        self.assertIn("time_to_accuracy_s_mean", csv_text.splitlines()[0])

    def test_speedup_to_target(self):
        cells, _, csv_text = self.table('metric = "speedup"\n' + TO_TARGET, basis="measured")
        self.assertEqual(cells["Base"], "baseline: 25.0 s (n=2)")
        self.assertEqual(cells["Fast"], "4.17× (n=2)")
        self.assertEqual(cells["Slow"], "not reached (n=2)")
        fast = [r for r in csv_text.splitlines() if r.startswith("Fast,")][0].split(",")
        self.assertAlmostEqual(float(fast[9]), 25 / 6, places=4)

    def test_speedup_whole_training_and_post_local_phase(self):
        whole, _, _ = self.table('''
            metric = "speedup"
            phase = "whole"
            baseline = { row = "Base" }
        ''')
        self.assertEqual(whole["Fast"], "2.40× (n=2)")
        self.assertEqual(whole["Slow"], "2.00× (n=2)")
        phase, md, _ = self.table('''
            metric = "speedup"
            phase = "post-local"
            baseline = { row = "Base" }
        ''')
        self.assertEqual(phase["Fast"], "2.22× (n=2)")
        self.assertEqual(phase["Slow"], "no post-local phase (n=2)")

    def test_a_switch_at_the_end_leaves_an_empty_phase_not_a_division_by_zero(self):
        self.write_run_switch = 3.0   # Fast goes local at its last evaluation: a 0 s phase
        cells, _, _ = self.table('metric = "speedup"\nphase = "post-local"\n'
                                 'baseline = { row = "Base" }\n')
        self.assertEqual(cells["Fast"], "no time in this phase (n=2)")

    def test_a_diverged_seed_is_left_out_and_counted(self):
        cells, _, _ = self.table('metric = "time_to_accuracy"\n' + TO_TARGET, diverge={("Fast", 2)})
        self.assertEqual(cells["Fast"], "4.00 s (1 of 2 diverged) (n=2)")

    def test_declaration_errors_name_the_file(self):
        for lines, message in (
                ('metric = "speedup"\n', "baseline"),
                ('metric = "speedup"\nbaseline = { row = "Nope" }\ntarget_fraction = 0.9\n',
                 "no run in cell"),
                ('metric = "speedup"\nbaseline = { row = "Base" }\n', "target_fraction"),
                ('metric = "time_to_accuracy"\nphase = "whole"\nbaseline = { row = "Base" }\n',
                 "phase is for metric speedup"),
                ('baseline = { row = "Base" }\n', "only for metric")):
            with self.subTest(lines=lines):
                with self.assertRaises(registry.RegistryError) as raised:
                    self.table(lines)
                self.assertIn("table99.toml", str(raised.exception))
                self.assertIn(message, str(raised.exception))

    def test_a_run_without_time_basis_is_a_clear_error(self):
        with self.assertRaises(timing.TimingError) as raised:
            self.table('metric = "time_to_accuracy"\n' + TO_TARGET, basis=None)
        self.assertIn("summary.json: time_basis = None", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
