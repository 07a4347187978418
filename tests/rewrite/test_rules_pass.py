"""The rules pass over whole files: one parse and one ruff run per file, answers kept by content."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rewrite_support import src

from agentic_action.rewrite import RULES, rewrite_file, rewrite_function
from agentic_action.rewrite import _engine as engine
from agentic_action.rewrite._precheck import PRECHECKS, may_apply
from agentic_action.rewrite._ruff import run_ruff
from agentic_action.rewrite.rules_pass import RulesPass

FILE = src('''
    import re


    def top(xs):
        out = []
        for x in xs:
            out.append(x + 1)
        return out, list(sorted(xs))


    class Shop:
        """A class with methods the rules rewrite."""

        def scan(self, lines):
            text = """
    kept: a string whose lines start at column 0
    """
            found = 0
            for line in lines:
                if re.match("[a-z]+", line):
                    found += 1
            return text, found

        @property
        def size(self):
            return len(sorted(list(self.items)))

        @size.setter
        def size(self, value):
            d = dict()
            self.items = [value]


    def plain(a, b):
        return a - b
''')
NAMES = ["top", "Shop.scan", "Shop.size", "plain"]


def test_a_whole_file_gives_what_each_function_alone_gives() -> None:
    together = rewrite_file(FILE, [*NAMES, "missing"])
    for name in NAMES:
        alone = rewrite_function(FILE, name)
        assert together[name] == alone, name
    assert isinstance(together["missing"], ValueError)
    scanned = together["Shop.scan"]
    assert not isinstance(scanned, ValueError)
    assert "kept: a string whose lines start at column 0\n" in scanned.new_source
    assert "compiled_re.match(line)" in scanned.new_source
    assert [e.rule for e in scanned.edits] == ["AO103"]
    assert [e.line for e in scanned.edits] == [20]


def test_ruff_runs_once_per_file_and_round(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[frozenset[str]] = []
    real = run_ruff

    def counting(source: str, codes: frozenset[str]) -> list[dict[str, object]]:
        calls.append(codes)
        return real(source, codes)

    monkeypatch.setattr(engine, "run_ruff", counting)
    results = rewrite_file(FILE, NAMES)
    assert len(calls) == 1  # one run for four functions; its C413 fix needed no second round
    assert calls[0] == {"C413"}  # only the codes whose textual pre-check matched
    top = results["top"]
    assert not isinstance(top, ValueError)
    assert {e.rule for e in top.edits} == {"AO104", "ruff:C413"}


def test_every_rule_has_a_precheck_its_own_example_passes() -> None:
    assert set(PRECHECKS) == {r.id for r in RULES}
    for rule in RULES:
        assert may_apply(rule.id, rule.example_before), rule.id
    assert not may_apply("AO103", "def f(xs):\n    return [x for x in xs]\n")


def test_answers_are_kept_on_disk_by_content(tmp_path: Path) -> None:
    first = RulesPass(tmp_path)
    answer = first.outcome(FILE, "top")
    assert first.computed_files == 1
    assert first.outcome(FILE, "plain") is not None and first.computed_files == 1
    rerun = RulesPass(tmp_path)
    assert rerun.outcome(FILE, "top") == answer
    assert rerun.file(FILE).keys() >= set(NAMES)
    assert rerun.computed_files == 0  # an unchanged file costs a lookup
    changed = FILE.replace("return a - b", "return b - a")
    rerun.outcome(changed, "plain")
    assert rerun.computed_files == 1
    assert rerun.outcome(FILE, "top", exclude=["AO104"]) != answer  # another rule set: computed
    assert rerun.computed_files == 2


def test_an_unreadable_cache_file_is_computed_again(tmp_path: Path) -> None:
    RulesPass(tmp_path).outcome(FILE, "top")
    (entry,) = tmp_path.glob("*.json")
    entry.write_text("{not json", encoding="utf-8")
    again = RulesPass(tmp_path)
    outcome = again.outcome(FILE, "top")
    assert again.computed_files == 1
    assert not isinstance(outcome, str) and outcome.edits
    assert json.loads(entry.read_text(encoding="utf-8"))["version"] == 1


def test_a_file_that_does_not_parse_is_a_reason_not_a_crash(tmp_path: Path) -> None:
    answer = RulesPass(tmp_path).outcome("def f(:\n", "f")
    assert isinstance(answer, str) and "could not read" in answer


def test_agents_asking_at_once_share_one_computation_of_the_file() -> None:
    rules = RulesPass()
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda name: rules.outcome(FILE, name), NAMES * 2))
    assert rules.computed_files == 1
    assert answers[: len(NAMES)] == answers[len(NAMES) :]
