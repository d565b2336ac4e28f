"""configs/claims.toml is checked against the experiment declarations
(workflow/claim_declarations.py): the committed file loads, and each kind of mistake is an
error naming the file, the claim and the key.
Run: python3 -m unittest discover -s tests/workflow -p '*_test.py'
"""
import unittest

import hand_configs  # first: puts workflow/ on the path
import claim_declarations
import claims
import registry

ROOT = hand_configs.ROOT
DECLARATION = ('id = "table99"\nkind = "table"\ncaption = "hand"\n'
               + hand_configs.run_toml("Base", "minibatch", col="c")
               + hand_configs.run_toml("Fast", "postlocal", col="c", local_steps=4))
# A valid claim, key by key (values as TOML); a test replaces or drops (None) some.
VALID = {"id": '"fast-beats-base"', "text": '"Fast beats Base"', "source": '"Table 99"',
         "experiment": '"table99"', "metric": '"best_test_accuracy"',
         "a": '{ row = "Fast", col = "c" }', "b": '{ row = "Base", col = "c" }',
         "test": '"greater"'}


def claim(**changes) -> str:
    keys = {**VALID, **changes}
    return "[[claim]]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items() if v is not None)


class CommittedClaimsTest(unittest.TestCase):
    def test_the_committed_file_loads_against_the_declarations(self):
        exps = registry.load_experiments(ROOT / "configs")
        loaded = claims.load(ROOT / "configs", exps)
        ids = list(dict.fromkeys(c.id for c in loaded))
        self.assertEqual(len(ids), 28)
        # table3's two claims are tested in 6 columns each, table20's two in 2 each; table22's
        # two in one column each; figure6's three compare rows (each at its best LR)
        self.assertEqual(len(loaded), 40)
        for c in loaded:
            with self.subTest(claim=c.label):
                self.assertIn(c.experiment, exps)
                self.assertTrue(c.margin is None or c.margin_why)


class ClaimValidationTest(hand_configs.HandConfigsTest):
    def setUp(self):
        super().setUp()
        (self.configs / "experiments" / "table99.toml").write_text(DECLARATION)
        self.path = self.configs / "claims.toml"

    def load(self, text):
        self.path.write_text(text)
        return claims.load(self.configs, registry.load_experiments(self.configs))

    def error(self, text) -> str:
        with self.assertRaises(registry.RegistryError) as raised:
            self.load(text)
        return str(raised.exception)

    def test_a_valid_claim_loads(self):
        (c,) = self.load(claim())
        self.assertEqual((c.a.row, c.a.col, c.b.row, c.threshold_text()),
                         ("Fast", "c", "Base", "> 0 points"))
        two = self.load(claim(a='{ row = "Fast" }', b='{ row = "Base" }', cols='["c"]'))
        self.assertEqual(two[0].label, "fast-beats-base [c]")

    def test_each_mistake_names_the_file_the_claim_and_the_key(self):
        cases = [
            (claim(margn="0.5"), "claim 'fast-beats-base': margn: unknown key (did you mean "
                                 "'margin'?)"),
            (claim(id=None), "claim #1: id: required"),
            (claim(id='"Fast beats"'), "claim 'Fast beats': id: required: lower-case"),
            (claim() + claim(), "claim 'fast-beats-base': id: declared twice"),
            (claim(text='""'), "claim 'fast-beats-base': text: required"),
            (claim(experiment='"table9"'), "experiment: 'table9' is not declared in "
                                           "configs/experiments/ (did you mean 'table99'?)"),
            (claim(metric='"accuracy"'), "metric: 'accuracy' is not one of"),
            (claim(test='"bigger"'), "test: 'bigger' is not one of"),
            (claim(test='"ratio_at_least"', ratio="2.0"),
             "test: 'ratio_at_least' is not for metric 'best_test_accuracy'"),
            (claim(test='"at_least"'), "margin: test 'at_least' needs margin"),
            (claim(test='"within"', margin="-1", margin_why='"x"'), "margin: test 'within'"),
            (claim(test='"at_least"', margin="0.5"), "margin_why: required with a margin"),
            (claim(margin="0.5"), "margin: only for the tests ['at_least', 'within']"),
            (claim(ratio="2.0"), "ratio: only for the test 'ratio_at_least'"),
            (claim(metric='"training_seconds"', test='"ratio_at_least"'),
             "ratio: test 'ratio_at_least' needs ratio"),
            (claim(metric='"time_to_accuracy"', test='"ratio_at_least"', ratio="2.0"),
             "metric: time_to_accuracy needs a target: table99 declares none"),
            (claim(a='"Fast"'), 'a: required: { row = "...", col = "..." }'),
            (claim(b='{ row = "Base", column = "c" }'), "b: required"),
            (claim(a='{ row = "Fats", col = "c" }'),
             "a.row: no run of table99 in row 'Fats' (did you mean 'Fast'?); its rows: "
             "['Base', 'Fast']"),
            (claim(b='{ row = "Base", col = "d" }'),
             "b.col: row 'Base' of table99 has no column 'd'; its columns: ['c']"),
            (claim(a='{ row = "Fast" }', b='{ row = "Base" }', cols='["c", "e"]'),
             "cols: row 'Fast' of table99 has no column 'e'"),
            (claim(cols='["c"]'), "a.col: not with cols"),
            (claim(cols='[]'), "cols: a non-empty list"),
            (claim(b='{ row = "Fast", col = "c" }'), "b: the same cell as a ('Fast' / 'c')"),
            (claim(note="1"), "note: a string"),
            (claim(test='"lower"'), "test: 'lower' is not for metric 'best_test_accuracy'"),
            (claim(metric='"top_eigenvalue"', test='"lower"'),
             "metric: top_eigenvalue is computed by the analysis 'hessian-spectrum', which "
             "table99 does not declare (its analyses: [])"),
        ]
        for text, message in cases:
            with self.subTest(message=message):
                msg = self.error(text)
                self.assertIn(f"{self.path}: ", msg)
                self.assertIn(message, msg)

    def test_a_time_to_accuracy_claim_races_both_groups_to_one_target(self):
        # table97's target is the Base run of each column: Fast in c against Base in d would
        # compare times to two different accuracies.
        (self.configs / "experiments" / "table97.toml").write_text(
            'id = "table97"\nkind = "table"\ncaption = "hand"\nmetric = "speedup"\n'
            'baseline = { row = "Base" }\ntarget_fraction = 0.9\n'
            + "".join(hand_configs.run_toml(row, alg, col=col, **keys)
                      for col in ("c", "d") for row, alg, keys in
                      (("Base", "minibatch", {}), ("Fast", "local", {"local_steps": 4}))))
        time = dict(experiment='"table97"', metric='"time_to_accuracy"',
                    test='"ratio_at_least"', ratio="2.0")
        (c,) = self.load(claim(**time, b='{ row = "Base", col = "c" }'))
        self.assertEqual(c.metric, "time_to_accuracy")
        msg = self.error(claim(**time, b='{ row = "Base", col = "d" }'))
        self.assertIn("claim 'fast-beats-base': b: its target (the baseline of column 'd') is "
                      "not A's (of column 'c')", msg)

    def test_the_file_itself(self):
        self.assertIn("no [[claim]] tables", self.error(""))
        self.assertIn("unknown top-level keys ['claims']", self.error("[[claims]]\nid = 'x'\n"))
        self.assertIn(str(self.path), self.error("[[claim]\n"))   # not TOML
        self.path.unlink()
        with self.assertRaises(registry.RegistryError) as raised:
            claims.load(self.configs, registry.load_experiments(self.configs))
        self.assertIn(str(self.path), str(raised.exception))

    def test_errors_are_claim_errors(self):
        with self.assertRaises(claim_declarations.ClaimError):
            self.load(claim(test='"bigger"'))


if __name__ == "__main__":
    unittest.main()
