"""The claims report's statistics (workflow/claim_statistics.py) against values worked out by
hand below: Welch-Satterthwaite degrees of freedom, t quantiles, intervals, and the verdict
rule on each side of each test's threshold.
Run: python3 -m unittest discover -s tests/workflow -p '*_test.py'
"""
import math
import unittest

import hand_configs  # noqa: F401  first: puts workflow/ on the path
import claim_statistics as cs

TOL = 1e-6


def t_cdf(q, df, steps=4000):
    """The Student t CDF at q > 0 by Simpson's rule over its density, written out here so that
    the quantile scipy gives is checked by something other than scipy."""
    c = math.gamma((df + 1) / 2) / (math.sqrt(df * math.pi) * math.gamma(df / 2))
    f = (lambda x: c * (1 + x * x / df) ** (-(df + 1) / 2))  # noqa: E731
    h = q / steps
    s = f(0) + f(q) + sum((4 if i % 2 else 2) * f(i * h) for i in range(1, steps))
    return 0.5 + s * h / 3


class WelchDifferenceTest(unittest.TestCase):
    def test_the_briefs_example(self):
        # A = [0.90, 0.91, 0.92]: mean 0.91, s^2 = (0.01^2 + 0 + 0.01^2) / 2 = 1e-4.
        # B = [0.88, 0.89, 0.93]: mean 0.90, s^2 = (0.02^2 + 0.01^2 + 0.03^2) / 2 = 7e-4.
        # se^2 = 1e-4/3 + 7e-4/3 = 8e-4/3, se = 0.0163299316.
        # df = (8e-4/3)^2 / ((1e-4/3)^2/2 + (7e-4/3)^2/2) = (64e-8/9) / (50e-8/18) = 2.56.
        # t(0.975, 2.56) = 3.5154197 (between t(0.975, 2) = 4.303 and t(0.975, 3) = 3.182 of a
        # printed table; its CDF is checked by integration below).
        # Half width 3.5154197 x 0.0163299316 = 0.0574066; CI 0.01 -+ it.
        i = cs.welch_difference([0.90, 0.91, 0.92], [0.88, 0.89, 0.93])
        self.assertAlmostEqual(i.estimate, 0.01, delta=TOL)
        self.assertAlmostEqual(i.df, 2.56, delta=TOL)
        self.assertAlmostEqual(i.t, 3.5154197, delta=TOL)
        self.assertAlmostEqual(t_cdf(i.t, 2.56), 0.975, delta=1e-9)
        self.assertAlmostEqual(i.low, -0.0474066, delta=TOL)
        self.assertAlmostEqual(i.high, 0.0674066, delta=TOL)
        # The interval holds 0, so "A > B" is neither shown nor refuted.
        self.assertEqual(cs.verdict("greater", i.low, i.high), cs.INCONCLUSIVE)

    def test_equal_variances_and_sizes_give_the_pooled_students_interval(self):
        # A = [1, 2, 3], B = [0, 1, 2]: s^2 = 1 each, n = 3. se^2 = 1/3 + 1/3, se = 0.8164966;
        # df = (2/3)^2 / (2 x (1/3)^2 / 2) = 4 = n_a + n_b - 2, Student's pooled df.
        # t(0.975, 4) = 2.7764451 (a printed t table: 2.776). CI 1 -+ 2.2669579.
        i = cs.welch_difference([1, 2, 3], [0, 1, 2])
        self.assertAlmostEqual(i.df, 4.0, delta=TOL)
        self.assertAlmostEqual(i.t, 2.7764451, delta=TOL)
        self.assertAlmostEqual(i.low, -1.2669579, delta=TOL)
        self.assertAlmostEqual(i.high, 3.2669579, delta=TOL)
        # Two seeds each, equal spread: df = 2, whose quantile has a closed form,
        # t = (2p - 1) / sqrt(2 p (1 - p)) at p = 0.975: 0.95 / sqrt(0.04875) = 4.3026527.
        # A = [0.80, 0.84], B = [0.76, 0.80]: s^2 = 0.0008 each, se = sqrt(0.0008) = 0.0282843;
        # CI 0.04 -+ 0.1216974.
        i = cs.welch_difference([0.80, 0.84], [0.76, 0.80])
        self.assertAlmostEqual(i.df, 2.0, delta=TOL)
        self.assertAlmostEqual(i.t, 4.3026527, delta=TOL)
        self.assertAlmostEqual(i.low, -0.0816974, delta=TOL)
        self.assertAlmostEqual(i.high, 0.1616974, delta=TOL)

    def test_one_group_without_spread_takes_the_others_degrees_of_freedom(self):
        # A = [0.5, 0.5]: s^2 = 0. B = [0.3, 0.4]: s^2 = 0.005, /2 = 0.0025, se = 0.05.
        # df = 0.0025^2 / (0.0025^2 / 1) = 1 = n_b - 1: the Cauchy distribution, whose quantile
        # is tan(pi (p - 1/2)) = tan(0.475 pi) = 12.7062047. CI 0.15 -+ 0.6353102.
        i = cs.welch_difference([0.5, 0.5], [0.3, 0.4])
        self.assertAlmostEqual(i.df, 1.0, delta=TOL)
        self.assertAlmostEqual(i.t, 12.7062047, delta=TOL)
        self.assertAlmostEqual(i.low, -0.4853102, delta=TOL)
        self.assertAlmostEqual(i.high, 0.7853102, delta=TOL)

    def test_no_spread_at_all_is_a_point(self):
        # Every seed the same in both groups: se = 0, df = 0/0: the interval is the difference.
        i = cs.welch_difference([0.5, 0.5], [0.4, 0.4])
        self.assertEqual((i.df, i.t), (None, None))
        self.assertAlmostEqual(i.low, 0.1, delta=TOL)
        self.assertAlmostEqual(i.high, 0.1, delta=TOL)
        self.assertEqual(cs.verdict("greater", i.low, i.high), cs.REPRODUCED)

    def test_fewer_than_two_values_is_refused(self):
        with self.assertRaises(ValueError):
            cs.welch_difference([0.9], [0.8, 0.7])


class RatioTest(unittest.TestCase):
    def test_the_ratio_of_geometric_means_and_its_log_interval(self):
        # A's times e^1, e^1.2 and B's e^2, e^2.2: log means 1.1 and 2.1, s^2 = 0.02 each,
        # se = sqrt(0.01 + 0.01) = 0.1414214, df = 2, t = 4.3026527 (closed form above).
        # log speed-up 1 -+ 0.6084870: speed-up e = 2.7182818, CI [e^0.391513, e^1.608487]
        # = [1.4792172, 4.9952476].
        i = cs.ratio([math.e, math.exp(1.2)], [math.exp(2), math.exp(2.2)])
        self.assertAlmostEqual(i.estimate, 2.7182818, delta=TOL)
        self.assertAlmostEqual(i.df, 2.0, delta=TOL)
        self.assertAlmostEqual(i.low, 1.4792172, delta=TOL)
        self.assertAlmostEqual(i.high, 4.9952476, delta=TOL)
        self.assertEqual(cs.verdict("ratio_at_least", i.low, i.high, ratio=1.4), cs.REPRODUCED)
        self.assertEqual(cs.verdict("ratio_at_least", i.low, i.high, ratio=3), cs.INCONCLUSIVE)

    def test_values_must_be_positive(self):
        with self.assertRaises(ValueError):
            cs.ratio([0.0, 1.0], [2.0, 3.0])


class VerdictTest(unittest.TestCase):
    """Reproduced: the whole interval on the claim's side; not reproduced: wholly on the other;
    inconclusive: across the threshold."""

    def check(self, test, cases, **threshold):
        for (low, high), expected in cases:
            with self.subTest(test=test, interval=(low, high)):
                self.assertEqual(cs.verdict(test, low, high, **threshold), expected)

    def test_greater(self):
        self.check("greater", [((0.1, 0.5), cs.REPRODUCED), ((-0.5, -0.1), cs.NOT_REPRODUCED),
                               ((-0.1, 0.5), cs.INCONCLUSIVE), ((0.0, 0.5), cs.INCONCLUSIVE),
                               ((-0.5, 0.0), cs.NOT_REPRODUCED)])

    def test_at_least(self):
        self.check("at_least", [((-0.4, 1.0), cs.REPRODUCED), ((-0.5, 1.0), cs.REPRODUCED),
                                ((-2.0, -0.6), cs.NOT_REPRODUCED),
                                ((-0.6, 1.0), cs.INCONCLUSIVE)], margin=0.5)

    def test_within(self):
        self.check("within", [((-0.4, 0.4), cs.REPRODUCED), ((0.6, 1.0), cs.NOT_REPRODUCED),
                              ((-1.0, -0.6), cs.NOT_REPRODUCED), ((-0.4, 0.6), cs.INCONCLUSIVE),
                              ((-1.0, 1.0), cs.INCONCLUSIVE)], margin=0.5)

    def test_ratio_at_least(self):
        self.check("ratio_at_least", [((3.1, 4.0), cs.REPRODUCED), ((3.0, 4.0), cs.REPRODUCED),
                                      ((1.0, 2.9), cs.NOT_REPRODUCED),
                                      ((2.5, 3.5), cs.INCONCLUSIVE)], ratio=3.0)

    def test_lower(self):
        # B / A > 1: A's minima flatter. 1 itself (equal curvature) is not flatter.
        self.check("lower", [((1.1, 2.0), cs.REPRODUCED), ((0.5, 0.9), cs.NOT_REPRODUCED),
                             ((0.5, 1.0), cs.NOT_REPRODUCED), ((1.0, 2.0), cs.INCONCLUSIVE),
                             ((0.9, 1.2), cs.INCONCLUSIVE)])

    def test_an_unknown_test_is_refused(self):
        with self.assertRaises(ValueError):
            cs.verdict("bigger", 0.0, 1.0)


if __name__ == "__main__":
    unittest.main()
