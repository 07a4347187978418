"""When the benchmark looks at its data, and how high the bar is at each look.

A group-sequential design (docs/methodology.md 2.6): the samples are analysed at ``LOOKS``
fractions of the time budget. At each look the candidate is accepted when the t statistic over
the lanes reaches that look's bound; the bounds come from Lan-DeMets alpha spending with the
O'Brien-Fleming spending function, one-sided ``ALPHA = 0.025`` in all (the level of the lower
end of a two-sided 95% interval, as with a single look). Early bounds are high, so only clear
cases stop there, and the last bound is close to the single-look one, so power is hardly lost.

The bounds are computed for the normal statistic (``Z_BOUNDS``) and carried to Student's t with
``lanes - 1`` degrees of freedom by equal tail probability (``T_BOUNDS``). Both tables are
constants, so the harness needs no scipy; ``derive_bounds`` recomputes them with scipy (the
``checks`` extra) and the tests check that the tables match.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

LOOKS = (1 / 3, 2 / 3, 1.0)  # fractions of the time budget at which the data are analysed
MIN_LANES_FOR_LOOKS = 6  # with fewer lanes the early bounds are too wide to stop at: one look
ALPHA = 0.025  # one-sided: the chance of accepting identical code, over all looks together
Z_BOUNDS = (3.710, 2.511, 1.993)
# T_BOUNDS[df][look]: the bound on the t statistic over ``df + 1`` lanes at each look.
T_BOUNDS: dict[int, tuple[float, float, float]] = {
    2: (69.492, 9.037, 4.487),
    3: (21.949, 5.468, 3.285),
    4: (12.920, 4.364, 2.853),
    5: (9.608, 3.848, 2.635),
    6: (7.975, 3.553, 2.504),
    7: (7.024, 3.364, 2.418),
    8: (6.410, 3.232, 2.356),
    9: (5.982, 3.135, 2.310),
    10: (5.669, 3.061, 2.274),
    11: (5.430, 3.003, 2.245),
    12: (5.242, 2.955, 2.222),
    13: (5.091, 2.916, 2.203),
    14: (4.966, 2.884, 2.186),
    15: (4.862, 2.856, 2.173),
}


def t_bound(look: int, df: int) -> float:
    """The bound on the t statistic at ``look`` (0-based) with ``df`` degrees of freedom."""
    if df not in T_BOUNDS:
        raise ValueError(f"df={df}: bounds exist for 2 to 15 degrees of freedom (3-16 lanes)")
    return T_BOUNDS[df][look]


def obrien_fleming_spent(fraction: float, alpha: float = ALPHA) -> float:
    """Alpha spent by information ``fraction``: ``2 - 2 Φ(z(1 - α/2) / √fraction)``."""
    normal = NormalDist()
    return 2 - 2 * normal.cdf(normal.inv_cdf(1 - alpha / 2) / math.sqrt(fraction))


def derive_bounds(
    looks: tuple[float, ...] = LOOKS, alpha: float = ALPHA, dfs: range = range(2, 16)
) -> tuple[tuple[float, ...], dict[int, tuple[float, ...]]]:
    """Recompute ``Z_BOUNDS`` and ``T_BOUNDS`` with scipy (the ``checks`` extra).

    Look k's bound is the c for which P(the statistic crosses no earlier bound and exceeds c at
    look k) equals the alpha spent between looks k-1 and k; the statistics at looks i <= j are
    jointly normal with correlation sqrt(t_i / t_j).
    """
    from scipy import optimize, stats

    bounds: list[float] = []
    for k in range(len(looks)):
        fractions = looks[: k + 1]
        cov = [[math.sqrt(min(a, b) / max(a, b)) for b in fractions] for a in fractions]
        law: Any = stats.multivariate_normal(mean=[0.0] * (k + 1), cov=cov)
        spent = obrien_fleming_spent(looks[k], alpha)

        def excess(c: float, law: Any = law, spent: float = spent) -> float:
            return float(1 - law.cdf([*bounds, c]) - spent)

        bounds.append(float(optimize.brentq(excess, 1.0, 8.0, xtol=1e-4)))
    t_bounds = {df: tuple(float(stats.t.ppf(stats.norm.cdf(z), df)) for z in bounds) for df in dfs}
    return tuple(bounds), t_bounds
