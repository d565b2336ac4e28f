"""A run started from another run's saved model (run key `start_from`, Gu et al.'s protocol):
it is another run (its name says where it starts), the trainer is told the start's model.pt of
the same seed, it waits for what its start waits for, and each mistake is an error naming the
file. The Snakefile's rule train reads the model (tests/workflow_test.sh trains such a pair).
Run: python3 -m unittest discover -s tests/workflow -p '*_test.py'
"""
import unittest

import hand_configs  # first: puts workflow/ on the path
import registry


class StartFromTest(hand_configs.HandConfigsTest):
    def declare(self, *blocks) -> dict:
        (self.configs / "experiments" / "table99.toml").write_text(
            'id = "table99"\nkind = "table"\ncaption = "hand"\n' + "".join(blocks))
        reg = registry.build(self.configs, "hand")
        self.status = reg.statuses["table99"]
        return {spec.row: v for spec, v, _ in reg.statuses["table99"].cells}

    def error(self, *blocks) -> str:
        with self.assertRaises(registry.RegistryError) as raised:
            self.declare(*blocks)
        self.assertIn("table99.toml", str(raised.exception))
        return str(raised.exception)

    def test_the_run_names_its_start_and_the_trainer_is_told_its_model(self):
        runs = self.declare(hand_configs.run_toml("SGD", "minibatch"),
                            hand_configs.run_toml("Local H={H}", "local", local_steps=[4, 8], start_from="SGD"))
        self.assertEqual(sorted(runs), ["Local H=4", "Local H=8", "SGD"])
        self.assertEqual(runs["SGD"].start_from, "")
        local = runs["Local H=4"]
        self.assertEqual(local.name, "local-k4-b8-h4-from-minibatch-k4-b8")
        self.assertEqual(local.start_from, "minibatch-k4-b8")
        self.assertIn("run.init_from=\"results/hand/runs/minibatch-k4-b8/seed2/model.pt\"",
                      local.set_args(seed=2, init_from="results/hand/runs/minibatch-k4-b8/seed2/model.pt"))
        self.assertNotIn("run.init_from", " ".join(runs["SGD"].set_args(seed=2)))

    def test_it_waits_for_what_its_start_waits_for(self):
        self.declare(hand_configs.run_toml("SGD", hand_configs.PLANNED),
                     hand_configs.run_toml("Local", "local", local_steps=4, start_from="SGD"))
        self.assertEqual(self.status.line(), f"table99: waiting for: {hand_configs.PLANNED}")

    def test_each_mistake_is_named(self):
        sgd = hand_configs.run_toml("SGD", "minibatch")
        cases = [
            ((sgd, hand_configs.run_toml("L", "local", local_steps=4, start_from="Adam")),
             "start_from 'Adam' must be the row of exactly one run of this declaration (found 0)"),
            ((hand_configs.run_toml("SGD", "local", col="{H}", local_steps=[1, 2]),
              hand_configs.run_toml("L", "local", local_steps=4, start_from="SGD")),
             "start_from 'SGD' must be the row of exactly one run of this declaration (found 2)"),
            ((hand_configs.run_toml("A", "minibatch", start_from="B"),
              hand_configs.run_toml("B", "local", local_steps=2, start_from="A")),
             "run 'A': its start 'B' starts from another run"),
            ((hand_configs.run_toml("L", "local", local_steps=4, start_from=3),),
             "start_from must be the row of another run"),
        ]
        for blocks, message in cases:
            with self.subTest(message=message):
                self.assertIn(message, self.error(*blocks))


if __name__ == "__main__":
    unittest.main()
