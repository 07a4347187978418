"""Slow test modules, from the baseline run's per-test times (its JUnit XML report).

A module is slow when it takes at least ``MIN_SECONDS`` and at least ``MIN_SHARE`` of the
whole suite's time, or at least ``TIMES_MEDIAN`` times the median module's.
"""

from __future__ import annotations

import statistics
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

from agentic_action.architecture.findings import Evidence, Finding, Kind

MIN_SECONDS = 1.0
MIN_SHARE = 0.25
TIMES_MEDIAN = 5.0
MAX_FINDINGS = 5


def module_times(junit: Path) -> tuple[dict[str, float], dict[str, int]]:
    """(module -> seconds, module -> tests) from a JUnit XML report; module is the test's
    ``classname`` up to its first capitalised part (``tests.test_x.TestY`` -> ``tests.test_x``)."""
    seconds: dict[str, float] = {}
    tests: Counter[str] = Counter()
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        parts = str(case.get("classname", "")).split(".")
        module = ".".join(p for p in _module_parts(parts))
        seconds[module] = seconds.get(module, 0.0) + float(case.get("time") or 0.0)
        tests[module] += 1
    return seconds, dict(tests)


def _module_parts(parts: list[str]) -> list[str]:
    kept = []
    for part in parts:
        if part[:1].isupper():
            break
        kept.append(part)
    return kept


def slow_modules(seconds: dict[str, float], tests: dict[str, int]) -> list[Finding]:
    if not seconds:
        return []
    total = sum(seconds.values())
    median = statistics.median(seconds.values())
    found = []
    for module, spent in seconds.items():
        share = spent / total if total else 0.0
        if spent >= MIN_SECONDS and (
            share >= MIN_SHARE or (median > 0 and spent >= TIMES_MEDIAN * median)
        ):
            found.append(_finding(module, spent, share, tests[module], median))
    return sorted(found, key=lambda f: -f.score)[:MAX_FINDINGS]


def _finding(module: str, spent: float, share: float, count: int, median: float) -> Finding:
    file = module.replace(".", "/") + ".py"
    return Finding(
        kind=Kind.SLOW_TESTS,
        subject=module,
        title=f"{module}: {spent:.1f} s, {share:.0%} of the test suite",
        summary=(
            f"{count} test(s) in {module} took {spent:.1f} s in the baseline run, {share:.0%} "
            f"of the suite (the median module: {median:.2f} s)."
        ),
        proposal=(
            f"Find what every test in {module} rebuilds (a repository, a server, a large input) "
            "and build it once in a module- or session-scoped fixture; move what is left slow "
            "behind a marker that CI runs in a job of its own."
        ),
        evidence=(Evidence(file, 0, f"{spent:.2f} s over {count} test(s)"),),
        figures={"seconds": round(spent, 3), "share": round(share, 4), "tests": count},
        score=share * 10,
    )
