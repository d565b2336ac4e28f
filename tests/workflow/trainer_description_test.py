"""The trainer's description (workflow/trainer_description.json) as the registry's one source of
what the trainer can do: the loader's errors, an algorithm kind that exists only in a
description, and scale overrides checked against its keys.
Run: python3 -m unittest discover -s tests/workflow -p '*_test.py'
"""
import json
import unittest

import hand_configs  # first: puts workflow/ on the path
import registry
import trainer_description

SCALE = hand_configs.scale_toml(seeds=(1,))

# A run of a kind the trainer does not have yet (planned-kind, one of the workflow's
# PLANNED_ALGORITHMS), next to one it has.
RUNS = 'id = "table99"\nkind = "table"\ncaption = "hand"\n' + hand_configs.run_toml(
    "{algorithm}", ["planned-kind", "local"], local_steps=8)


class DescriptionTest(hand_configs.HandConfigsTest):
    scale_text = SCALE

    def setUp(self):
        super().setUp()
        (self.configs / "experiments" / "table99.toml").write_text(RUNS)

    def description_with(self, name, edit):
        """A copy of the committed description, changed by edit(dict), loaded from `name`."""
        d = json.loads(trainer_description.PATH.read_text())
        edit(d)
        path = self.root / name
        path.write_text(json.dumps(d))
        return trainer_description.load(path)

    def with_kind(self, kind, keys):
        def edit(d):
            d["algorithms"][kind] = {"summary": "a test kind", "keys": keys}
            d["keys"]["algorithm.kind"]["choices"].append(kind)
        return self.description_with(f"with-{kind}.json", edit)

    def test_the_committed_description_loads(self):
        desc = trainer_description.load()
        self.assertEqual(list(desc.algorithms)[:4],   # the paper's four first; later ones follow
                         ["minibatch", "local", "postlocal", "hierarchical"])
        self.assertTrue(desc.takes("postlocal", "algorithm.switch_epoch"))
        self.assertFalse(desc.takes("minibatch", "algorithm.local_steps"))
        self.assertTrue(desc.keys["algorithm.switch_epoch"].optional)
        self.assertEqual(desc.keys["schedule.decay_at"].default, [0.5, 0.75])

    def test_a_missing_file_is_an_error_naming_it(self):
        path = self.root / "nowhere.json"
        with self.assertRaises(trainer_description.DescriptionError) as raised:
            trainer_description.load(path)
        self.assertIn(str(path), str(raised.exception))
        self.assertIn("--describe", str(raised.exception))

    def test_a_malformed_file_is_an_error_naming_it(self):
        def unknown_key(d):
            d["algorithms"]["local"]["keys"] = ["algorithm.nope"]

        def kinds_differ(d):
            d["algorithms"]["foo"] = {"summary": "", "keys": []}   # not in algorithm.kind

        for name, text, message in (
                ("truncated.json", '{"format": 1, "algorithms": {', "not JSON"),
                ("list.json", "[]", "not a JSON object"),
                ("old.json", json.dumps({s: {} for s in trainer_description.SECTIONS}
                                        | {"format": 0}), "format 0")):
            with self.subTest(name=name):
                path = self.root / name
                path.write_text(text)
                with self.assertRaises(trainer_description.DescriptionError) as raised:
                    trainer_description.load(path)
                self.assertIn(str(path), str(raised.exception))
                self.assertIn(message, str(raised.exception))
        for edit, message in ((unknown_key, "algorithm.nope"), (kinds_differ, "algorithm.kind")):
            with self.subTest(edit=edit.__name__):
                with self.assertRaises(trainer_description.DescriptionError) as raised:
                    self.description_with(f"{edit.__name__}.json", edit)
                self.assertIn(f"{edit.__name__}.json", str(raised.exception))
                self.assertIn(message, str(raised.exception))

    def test_a_kind_is_known_when_the_description_has_it(self):
        # The committed description has no planned-kind: its run waits, local's is trained.
        status = registry.build(self.configs, "hand").statuses["table99"]
        self.assertEqual(status.line(), "table99: partial (1 runs ready); waiting for: planned-kind")
        # A description with planned-kind, taking algorithm.local_steps: its run is named with -h.
        reg = registry.build(self.configs, "hand",
                             self.with_kind("planned-kind", ["algorithm.local_steps"]))
        self.assertEqual(reg.statuses["table99"].state, "ready")
        self.assertEqual(sorted(reg.variants), ["local-k4-b8-h8", "planned-kind-k4-b8-h8"])
        sign = reg.variants["planned-kind-k4-b8-h8"]
        self.assertIn(("algorithm.kind", "planned-kind"), sign.overrides)
        self.assertIn(("algorithm.local_steps", 8), sign.overrides)
        # A kind that is neither (a description of its own, foo) is a typo: refused.
        decl = self.configs / "experiments" / "table99.toml"
        decl.write_text(RUNS.replace("planned-kind", "foo"))
        with self.assertRaises(registry.RegistryError) as raised:
            registry.build(self.configs, "hand")
        self.assertIn("unknown algorithm 'foo'", str(raised.exception))
        reg = registry.build(self.configs, "hand", self.with_kind("foo", ["algorithm.local_steps"]))
        self.assertEqual(sorted(reg.variants), ["foo-k4-b8-h8", "local-k4-b8-h8"])

    def test_the_run_keys_of_a_kind_come_from_its_description(self):
        # foo takes blocks but no H: its name has -bs/-hb, no -h, and H = 8 is refused.
        desc = self.with_kind("foo", ["algorithm.block_size", "algorithm.block_steps"])
        decl = self.configs / "experiments" / "table99.toml"
        decl.write_text(RUNS.replace('["planned-kind", "local"]', '"foo"')
                        .replace("local_steps = 8", "block_size = 2\nblock_steps = 3"))
        reg = registry.build(self.configs, "hand", desc)
        self.assertEqual(list(reg.variants), ["foo-k4-b8-bs2-hb3"])
        v = reg.variants["foo-k4-b8-bs2-hb3"]
        self.assertIn(("algorithm.block_steps", 3), v.overrides)
        self.assertTrue(v.takes("algorithm.block_steps"))
        decl.write_text(RUNS.replace('["planned-kind", "local"]', '"foo"'))
        with self.assertRaises(registry.RegistryError) as raised:
            registry.build(self.configs, "hand", desc)
        self.assertIn("table99.toml", str(raised.exception))
        self.assertIn("foo has H = 1", str(raised.exception))

    def test_a_scale_override_of_an_unknown_trainer_key_is_refused(self):
        scale = self.configs / "scales" / "hand.toml"
        for table, key in (("[trainer]", "optimizer.lrr"),
                           ("[models.resnet20.overrides]", "model.depht")):
            with self.subTest(key=key):
                scale.write_text(SCALE.replace("[models.resnet20]\n", "")
                                 + f'{table}\n"{key}" = 1\n')
                with self.assertRaises(registry.RegistryError) as raised:
                    registry.build(self.configs, "hand")
                self.assertIn("hand.toml", str(raised.exception))
                self.assertIn(repr(key), str(raised.exception))
                self.assertIn("is not a key of the trainer", str(raised.exception))
        # A key the description has passes (its value is the trainer's to check).
        scale.write_text(SCALE + '[trainer]\n"optimizer.lr_scaling" = "sqrt"\n')
        reg = registry.build(self.configs, "hand")
        self.assertIn(("optimizer.lr_scaling", "sqrt"), reg.variants["local-k4-b8-h8"].overrides)


if __name__ == "__main__":
    unittest.main()
