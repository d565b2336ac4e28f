"""Tables 6 and 7 (workflow/benchmark_tables.py) from hand-made localsgd-microbench outputs, at
the small scale of configs/, against numbers worked out by hand below."""
import json
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow"))
import registry  # noqa: E402
import tables  # noqa: E402


def cells_of(md):
    """{row: [cells]} of a Markdown table."""
    out = {}
    for line in md.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            parts = [p.strip() for p in line.strip("|").split("|")]
            out[parts[0]] = parts[1:]
    return out


class BenchmarkTablesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.results = Path(self.tmp.name) / "results" / "small-full"

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, table, model, records):
        d = self.results / "bench" / table
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{model}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))

    def build(self, table):
        return tables.experiment_tables(ROOT / "configs", "small-full", table, self.results / "runs")

    def test_table6_scaling_ratio(self):
        # ResNet-20 at width 1 on CIFAR: 2 x 40,813,184 / 272,474 = 299.575 FLOPs per parameter.
        self.write("table6", "resnet20", [{"input": "3x32x32", "parameters": 272474,
                                           "multiply_accumulates": 40813184}])
        md, csv_text, _ = self.build("table6")
        cells = cells_of(md)
        self.assertEqual(cells["resnet20"], ["3x32x32", "0.272 M", "40.813 M", "299.6"])
        self.assertTrue(cells["densenet40-12"][0].startswith("waiting for: densenet40-12"))
        self.assertIn("resnet20,3x32x32,272474,40813184,299.5749,", csv_text)

    def test_table7_per_image_time_ratio(self):
        # 8 images in 10 ms, 16 in 16 ms: 800 and 1000 images/s; per image 1.25 ms and 1 ms,
        # so the larger batch costs 0.80 of the smallest's time per image.
        self.write("table7", "resnet20", [
            {"batch": 8, "median_seconds": 0.010, "iterations": 100, "threads": 1, "cpu": "Test CPU"},
            {"batch": 16, "median_seconds": 0.016, "iterations": 60, "threads": 1, "cpu": "Test CPU"}])
        md, csv_text, _ = self.build("table7")
        cells = cells_of(md)
        self.assertEqual(cells["8"], ["0.0100", "800", "1.00"])
        self.assertEqual(cells["16"], ["0.0160", "1000", "0.80"])
        self.assertIn("Test CPU, 1 intra-op thread(s)", md)
        self.assertEqual(csv_text.splitlines()[0].split(",")[:3], ["row", "model", "batch"])

    def test_a_malformed_output_names_the_file_and_line(self):
        self.write("table7", "resnet20", [{"batch": 8, "median_seconds": -1, "threads": 1}])
        with self.assertRaises(tables.TableError) as raised:
            self.build("table7")
        self.assertIn("table7/resnet20.jsonl:1: median_seconds = -1", str(raised.exception))

    def test_benchmark_arguments_scale_the_batches(self):
        reg = registry.build(ROOT / "configs", "small-full")   # small has no benchmark table
        bench = reg.experiments["table7"].benchmark
        args = registry.benchmark_arguments(bench, "resnet20", reg.scale)
        # The paper's 32 ... 1024 at the small scales' local_batch_factor 0.25.
        self.assertEqual(args[-2:], ["--batches", "8,16,32,64,128,256"])
        # Table 6's other models and Figure 5's inter-node placement wait.
        self.assertEqual(reg.benchmarks(), [("table6", "resnet20"), ("table7", "resnet20"),
                                            ("figure5", "intra-node")])


if __name__ == "__main__":
    unittest.main()
