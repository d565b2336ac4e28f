"""Bars over an x (Figures 2 and 3 in the paper's form): one line per algorithm, each run a point
LINE@X at its trained settings (H x B_loc for local SGD, B_loc for mini-batch SGD, after the
scale's batch factor); a bad x is refused naming the declaration and the choices.
Run: python3 -m unittest discover -s tests/workflow -p '*_test.py'
"""
import unittest

import hand_configs  # first: puts workflow/ on the path
import registry

FIGURE = """id = "figure99"
kind = "figure"
caption = "lines"
[[runs]]
row = "local H={H}"
algorithm = "local"
workers = 4
local_batch = 8
local_steps = [2, 16]
model = "resnet20"
dataset = "cifar10"
[[runs]]
row = "mini-batch B={B}"
algorithm = "minibatch"
workers = 4
local_batch = [8, 64]
model = "resnet20"
dataset = "cifar10"
[[panels]]
plot = "bars"
x = "%s"
log = "x"
"""


class FigureLinesTest(hand_configs.HandConfigsTest):
    scale_text = hand_configs.scale_toml().replace("local_batch_factor = 1.0",
                                                    "local_batch_factor = 0.5")

    def labels(self, x):
        (self.configs / "experiments" / "figure99.toml").write_text(FIGURE % x)
        reg = registry.build(self.configs, "hand")
        exp_id, panel = reg.panel("figure99")
        return [panel.point_label(v) for _, v in reg.panel_series(exp_id, panel)]

    def test_points_are_the_trained_settings(self):
        # B_loc 8 and 64 train as 4 and 32 (factor 0.5): local 2 x 4, 16 x 4; mini-batch 4, 32.
        self.assertEqual(self.labels("samples_per_round"),
                         ["local SGD@8", "local SGD@64", "mini-batch SGD@4", "mini-batch SGD@32"])
        self.assertEqual(self.labels("local_steps"),
                         ["local SGD@2", "local SGD@16", "mini-batch SGD@1", "mini-batch SGD@1"])
        self.assertEqual(self.labels("workers")[0], "local SGD@4")

    def test_a_bad_x_is_refused(self):
        with self.assertRaises(registry.RegistryError) as raised:
            self.labels("epoch")
        self.assertIn("figure99.toml: panels #1: x of plot bars", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
