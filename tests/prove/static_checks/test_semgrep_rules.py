"""Every shipped semgrep rule flags its bad cases and spares its good ones.

The cases live in semgrep_cases/*.py: a ``# ruleid: R`` comment means the next line must be
flagged by rule R, ``# ok: R`` that it must not be (semgrep's own annotation convention).
"""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from agentic_action.prove.static_checks import static_baseline
from agentic_action.prove.static_tools import RULES_DIR, RunState, ToolRun

CASES = Path(__file__).with_name("semgrep_cases")
ANNOTATION = re.compile(r"^\s*# (ruleid|ok): ([\w-]+)\s*$")
Case = tuple[str, int]  # (file, line)


def rule_ids() -> list[str]:
    ids = []
    for path in sorted(RULES_DIR.glob("*.yaml")):
        ids += re.findall(r"^\s*- id: ([\w-]+)\s*$", path.read_text(encoding="utf-8"), re.M)
    return ids


def cases_by_rule() -> dict[str, dict[str, set[Case]]]:
    """rule -> {"ruleid": lines that must be flagged, "ok": lines that must not}."""
    found: dict[str, dict[str, set[Case]]] = defaultdict(lambda: {"ruleid": set(), "ok": set()})
    for path in sorted(CASES.glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = ANNOTATION.match(line)
            if match:
                found[match.group(2)][match.group(1)].add((path.name, number + 1))
    return found


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> ToolRun:
    """One semgrep run over a copy of every case file (outside tests/, which some rules skip)."""
    root = tmp_path_factory.mktemp("cases")
    names = []
    for path in sorted(CASES.glob("*.py")):
        shutil.copy(path, root / path.name)
        names.append(path.name)
    return static_baseline(root, names, tools=("semgrep",)).run_for("semgrep")


def test_the_rules_load_and_scan_without_errors(scan: ToolRun) -> None:
    assert scan.state is RunState.OK, scan.detail
    assert scan.info["errors"] == []


def test_every_rule_has_cases_that_must_and_must_not_match() -> None:
    cases = cases_by_rule()
    ids = rule_ids()
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    for rule in ids:
        assert cases[rule]["ruleid"], f"{rule} has no '# ruleid:' case"
        assert cases[rule]["ok"], f"{rule} has no '# ok:' case"
    assert set(cases) <= set(ids), "cases name rules that do not exist"


@pytest.mark.parametrize("rule", rule_ids())
def test_rule_flags_its_bad_cases_and_spares_its_good_ones(scan: ToolRun, rule: str) -> None:
    flagged = {(f.file, f.line) for f in scan.findings if f.code == rule}
    expected = cases_by_rule()[rule]
    assert sorted(expected["ruleid"] - flagged) == [], "bad cases not flagged"
    assert sorted(expected["ok"] & flagged) == [], "good cases flagged"


def test_no_line_is_flagged_without_a_case_saying_so(scan: ToolRun) -> None:
    annotated = {case for rule in cases_by_rule().values() for case in rule["ruleid"]}
    stray = sorted(f.describe() for f in scan.findings if (f.file, f.line) not in annotated)
    assert stray == []


def test_assertions_in_test_files_are_not_flagged(tmp_path: Path) -> None:
    source = "def test_value():\n    assert 1 + 1 == 2\n"
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_values.py").write_text(source, encoding="utf-8")
    (tmp_path / "lib.py").write_text("def check(x):\n    assert x > 0\n", encoding="utf-8")
    run = static_baseline(tmp_path, ["tests/test_values.py", "lib.py"], tools=("semgrep",))
    assert [f.describe() for f in run.run_for("semgrep").findings] == [
        "lib.py:2 assert-used-for-validation assert statements vanish under `python -O`; "
        "validation written as an assert stops validating. Raise an exception instead."
    ]
