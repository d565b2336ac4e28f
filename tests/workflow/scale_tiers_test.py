"""Tiers of a scale: `extends` starts from another scale's file and replaces its top-level keys;
`[select.<experiment>]` keeps only the runs whose declared values are listed (Table 1's grid
cut to K and H in {1, 4, 16}); a select naming no declared experiment, or a value no run has,
is refused, naming the scale file and the key.
Run: python3 -m unittest discover -s tests/workflow -p '*_test.py'
"""
import unittest

import hand_configs  # first: puts workflow/ on the path
import registry

GRID = """id = "table99"
kind = "table"
caption = "grid"
[[runs]]
row = "K={K}"
algorithm = "minibatch"
workers = [1, 2, 4]
local_batch = 8
model = "resnet20"
dataset = "cifar10"
[[runs]]
row = "K={K}"
col = "H={H}"
algorithm = "local"
workers = [2, 4]
local_steps = [2, 4]
local_batch = 8
model = "resnet20"
dataset = "cifar10"
"""


def runs_of(reg):
    return sorted((s.algorithm, s.workers, s.local_steps)
                  for s, v, _ in reg.statuses["table99"].cells if v is not None)


class ScaleTiersTest(hand_configs.HandConfigsTest):
    def setUp(self):
        super().setUp()
        (self.configs / "experiments" / "table99.toml").write_text(GRID)

    def build_error(self, scale):
        with self.assertRaises(registry.RegistryError) as raised:
            registry.build(self.configs, scale)
        return str(raised.exception)

    def test_select_keeps_only_the_listed_values(self):
        every = runs_of(registry.build(self.configs, "hand"))
        self.assertEqual(len(every), 3 + 4)
        self.write_scale(self.scale_text + "[select.table99]\nworkers = [1, 4]\n"
                         "local_steps = [1, 4]\n")
        self.assertEqual(runs_of(registry.build(self.configs, "hand")),
                         [("local", 4, 4), ("minibatch", 1, 1), ("minibatch", 4, 1)])

    def test_extends_takes_the_other_scales_keys_and_replaces_top_level_ones(self):
        self.write_scale(self.scale_text + "[select.table99]\nworkers = [4]\n")
        self.write_scale('extends = "hand"\nname = "full"\nseeds = [7]\nselect = {}\n', "full")
        full = registry.build(self.configs, "full")
        self.assertEqual(full.scale.seeds, (7,))
        self.assertEqual(full.scale.epochs, 3)            # from hand
        self.assertEqual(len(runs_of(full)), 7)           # its own (empty) select
        self.write_scale('extends = "hand"\nname = "full"\n', "full")
        self.assertEqual(len(runs_of(registry.build(self.configs, "full"))), 3)  # hand's select
        self.write_scale(self.scale_text.replace('description = "hand-made"',
                                                 'description = "x"\nexperiments = ["table99"]'))
        self.assertEqual(registry.build(self.configs, "full").scale.experiments, ("table99",))
        self.write_scale('extends = "hand"\nname = "full"\nexperiments = "all"\n', "full")
        self.assertIsNone(registry.build(self.configs, "full").scale.experiments)

    def test_the_scales_epochs_and_lr_reach_every_run(self):
        # Before, a scale's epochs and lr were set only with an epochs or lr factor, so a scale
        # whose epochs differed from its base config's trained the base config's.
        self.write_scale(self.scale_text.replace("epochs = 3", "epochs = 7")
                         .replace("lr = 0.1", "lr = 0.3"))
        reg = registry.build(self.configs, "hand")
        for v in reg.variants.values():
            self.assertIn(("run.epochs", 7.0), v.overrides)
            self.assertIn(("optimizer.lr", 0.3), v.overrides)

    def test_a_run_whose_step_exceeds_the_training_set_waits(self):
        # The trainer refuses K x B_loc > data.train_subset; the registry says so at parse time.
        (self.configs / "scales" / "base.toml").write_text("[data]\ntrain_subset = 16\n")
        reg = registry.build(self.configs, "hand")
        st = reg.statuses["table99"]
        waiting = {(s.workers, s.local_steps): m for s, v, m in st.cells if v is None}
        self.assertEqual(sorted(waiting), [(4, 1), (4, 2), (4, 4)])   # 4 x 8 = 32 > 16
        self.assertIn("a training set of at least K x B_loc = 32 images (data.train_subset = 16)",
                      waiting[(4, 1)])
        self.assertEqual(st.state, "partial")
        self.write_scale(self.scale_text.replace("lr = 0.1\n", 'lr = 0.1\n[trainer]\n'
                                                 '"data.train_subset" = 64\n'))
        self.assertEqual(registry.build(self.configs, "hand").statuses["table99"].state, "ready")

    def test_bad_tiers_are_refused_naming_the_file_and_key(self):
        path = self.configs / "scales" / "hand.toml"
        self.write_scale(self.scale_text + "[select.table42]\nworkers = [4]\n")
        self.assertIn(f"{path}: select.table42: no such experiment", self.build_error("hand"))
        self.write_scale(self.scale_text + "[select.table99]\nworkers = [3]\n")
        self.assertIn(f"{path}: select.table99.workers: [3] is not a value of its runs",
                      self.build_error("hand"))
        self.write_scale(self.scale_text + "[select.table99]\nepochs = [3]\n")
        self.assertIn("select.table99.epochs: not one of workers", self.build_error("hand"))
        self.write_scale('extends = "nope"\nname = "full"\n', "full")
        self.assertIn("extends = 'nope': no scale file", self.build_error("full"))
        self.write_scale('extends = "full"\nname = "full2"\n', "full2")
        self.write_scale('extends = "hand"\nname = "full"\n', "full")
        self.assertIn("which extends another scale itself", self.build_error("full2"))


if __name__ == "__main__":
    unittest.main()
