"""A run's algorithm options, optimizer momentum and other trainer keys in a declaration (run
keys `options`, `momentum` and `config`, workflow/experiment_registry/run_blocks.py): they reach
the trainer's overrides and the run's name, a list of values is an axis, and each mistake is an
error naming the file.
Run: python3 -m unittest discover -s tests/workflow -p '*_test.py'
"""
import unittest

import hand_configs  # first: puts workflow/ on the path
import registry

ROOT = hand_configs.ROOT


class RunOptionsTest(hand_configs.HandConfigsTest):
    def declare(self, block: str) -> dict:
        (self.configs / "experiments" / "table99.toml").write_text(
            'id = "table99"\nkind = "table"\ncaption = "hand"\n' + block)
        reg = registry.build(self.configs, "hand")
        return {spec.row: v for spec, v, _ in reg.statuses["table99"].cells}

    def error(self, block: str) -> str:
        with self.assertRaises(registry.RegistryError) as raised:
            self.declare(block)
        self.assertIn("table99.toml", str(raised.exception))
        return str(raised.exception)

    def test_options_and_momentum_reach_the_overrides_and_the_name(self):
        runs = self.declare(hand_configs.run_toml(
            "slow {slow_momentum}", "slowmo", local_steps=4, momentum=0.0,
            options={"slow_momentum": [0.3, 0.6], "slow_lr": 1.5}))
        self.assertEqual(sorted(runs), ["slow 0.3", "slow 0.6"])
        v = runs["slow 0.3"]
        self.assertEqual(v.name, "slowmo-k4-b8-h4-slowlr1.5-slowmomentum0.3-m0")
        over = dict(v.overrides)
        self.assertEqual(over["algorithm.slow_momentum"], 0.3)
        self.assertEqual(over["algorithm.slow_lr"], 1.5)
        self.assertEqual(over["optimizer.momentum"], 0.0)
        self.assertIs(over["optimizer.nesterov"], False)   # the trainer refuses Nesterov at momentum 0
        self.assertEqual(dict(runs["slow 0.6"].overrides)["algorithm.slow_momentum"], 0.6)
        # Without them: the base config's values, nothing in the name.
        plain = self.declare(hand_configs.run_toml("plain", "slowmo", local_steps=4))["plain"]
        self.assertEqual(plain.name, "slowmo-k4-b8-h4")
        self.assertNotIn("optimizer.momentum", dict(plain.overrides))

    def test_each_mistake_is_named(self):
        cases = [
            (hand_configs.run_toml("r", "slowmo", local_steps=4, options={"local_steps": 2}),
             "options.local_steps is not a key of slowmo (its own keys: ['slow_lr', "
             "'slow_momentum'])"),
            (hand_configs.run_toml("r", "local", local_steps=4, options={"slow_lr": 2}),
             "options.slow_lr is not a key of local (its own keys: none)"),
            (hand_configs.run_toml("r", "slowmo", local_steps=4, options={"slow_lr": {"a": 1}}),
             "options.slow_lr must be a number, string or boolean"),
            (hand_configs.run_toml("r", "slowmo", local_steps=4) + "options = 3\n",
             "options must be a table"),
            (hand_configs.run_toml("r", "local", local_steps=4, momentum=1.0),
             "momentum must be a number in [0, 1)"),
        ]
        for block, message in cases:
            with self.subTest(message=message):
                self.assertIn(message, self.error(block))

    def test_config_keys_reach_the_overrides_and_the_name(self):
        runs = self.declare(hand_configs.run_toml(
            "noise {noise_eta} {noise_gamma}", "minibatch",
            config={"optimizer.noise_eta": [1e-6, 5e-5], "optimizer.noise_gamma": 0.5,
                    "run.record_weight_spread": True}))
        self.assertEqual(sorted(runs), ["noise 1e-06 0.5", "noise 5e-05 0.5"])
        v = runs["noise 5e-05 0.5"]
        self.assertEqual(v.name, "minibatch-k4-b8-noiseeta5e-05-noisegamma0.5-recordweightspreadtrue")
        over = dict(v.overrides)
        self.assertEqual(over["optimizer.noise_eta"], 5e-5)
        self.assertEqual(over["run.record_weight_spread"], True)
        # Of [data], the training regime's keys are a run's; the scale's are not.
        regime = self.declare(hand_configs.run_toml(
            "noisy", "minibatch", config={"data.label_noise": 0.1, "data.sampling": "with-replacement"}))["noisy"]
        self.assertEqual(regime.name, "minibatch-k4-b8-labelnoise0.1-samplingwith-replacement")
        self.assertEqual(dict(regime.overrides)["data.label_noise"], 0.1)
        cases = [
            ({"data.path": "/data"}, "config.data.path is set by the run keys, the scale or options"),
            ({"optimizer.noise": 1.0}, "config.optimizer.noise is not a trainer key"),
            ({"optimizer.lr": 1.0}, "config.optimizer.lr is set by the run keys, the scale or options"),
            ({"model.width": 1.0}, "config.model.width is set by the run keys, the scale or options"),
            ({"optimizer.noise_eta": "a"}, "config.optimizer.noise_eta must be a float"),
            ({"run.record_weight_spread": 1}, "config.run.record_weight_spread must be a boolean"),
        ]
        for config, message in cases:
            with self.subTest(message=message):
                self.assertIn(message, self.error(hand_configs.run_toml("r", "minibatch", config=config)))

    def test_the_sign_noise_and_lars_tables_set_their_keys(self):
        reg = registry.build(ROOT / "configs", "small-full")
        for exp_id in ("table4", "table14", "table15"):
            self.assertEqual(reg.statuses[exp_id].state, "ready", exp_id)
        names = {v.name for _, v, _ in reg.statuses["table14"].cells}
        self.assertEqual(sum("noiseeta" in n for n in names), 12)   # 4 eta x 3 gamma
        majority = [v for spec, v, _ in reg.statuses["table15"].cells if "majority" in spec.row]
        self.assertEqual(dict(majority[0].overrides)["algorithm.sign_aggregation"], "majority")
        self.assertEqual(dict(majority[0].overrides)["optimizer.lr_scaling"], "none")
        # Table 5 waits for ResNet-50 on ImageNet, but its runs carry LARS' coefficient.
        table5 = registry.build(ROOT / "configs", "paper").statuses["table5"].cells
        self.assertEqual(len(table5), 2)
        for spec, _, _ in table5:
            self.assertEqual(spec.config, (("optimizer.lars_coefficient", 0.001),))

    def test_table8_is_built_from_slow_momentum(self):
        reg = registry.build(ROOT / "configs", "small-full")
        st = reg.statuses["table8"]
        self.assertEqual(st.state, "ready")
        names = sorted(v.name for _, v, _ in st.cells)
        self.assertEqual(len(names), 5)   # local momentum, and 2 factors with and without it
        self.assertEqual(sum("slowmomentum" in n for n in names), 4)
        self.assertEqual(sum(n.endswith("-m0") for n in names), 2)


if __name__ == "__main__":
    unittest.main()
