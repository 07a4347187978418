"""``re.Match`` objects in recorded inputs: stored as the match to run again, loaded back in a
fresh process with everything a function can read from them (parse's
``Parser.evaluate_result(m)`` takes one)."""

from __future__ import annotations

import json
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest
from differential_world import Proof, prove_checks, recorded_project

from agentic_action.model import CheckOutcome, FunctionTarget
from agentic_action.prove.differential import DifferentialSettings
from agentic_action.prove.gate import Check
from agentic_action.record import byvalue

LOAD = """import json, pickle, sys
found = []
for m in pickle.loads(sys.stdin.buffer.read()):
    string = m.string.decode("latin-1") if isinstance(m.string, bytes) else m.string
    found.append([m.re.pattern if isinstance(m.re.pattern, str) else m.re.pattern.decode("latin-1"),
                  string, m.pos, m.endpos, [list(r) for r in m.regs], m.lastindex, m.lastgroup])
print(json.dumps(found))
"""


def _readable(m: re.Match[str] | re.Match[bytes]) -> list[object]:
    pattern, string = m.re.pattern, m.string
    return [
        pattern.decode("latin-1") if isinstance(pattern, bytes) else pattern,
        string.decode("latin-1") if isinstance(string, bytes) else string,
        m.pos,
        m.endpos,
        [list(r) for r in m.regs],
        m.lastindex,
        m.lastgroup,
    ]


def test_matches_load_in_a_fresh_process_with_every_readable_part() -> None:
    matches = [
        re.match(r"(?P<key>\w+)=(?P<value>\d+)?", "size=; rest"),  # an unmatched group
        re.compile(r"(\d+)-(\d+)").search("from 10-20 to 30-40", 9),  # search from a pos
        re.compile(r"a+").match("caaab", 1, 3),  # match with pos and endpos
        re.fullmatch(r"(?:(x)|(y))+", "xyx"),  # lastindex of a repeated alternation
        re.search(rb"(?P<byte>[\x80-\xff])", b"ab\xe9c"),  # a bytes subject
    ]
    assert all(m is not None for m in matches)
    data = byvalue.dumps(matches)
    assert byvalue.dumps(matches) == data  # equal inputs, equal bytes (the recorder's dedupe)
    with pytest.raises(TypeError, match=r"cannot pickle 're\.Match' object"):
        pickle.dumps(matches[0])
    loaded = subprocess.run(
        [sys.executable, "-c", LOAD],
        input=data,
        capture_output=True,
        check=True,
        env={"PYTHONPATH": str(Path(byvalue.__file__).parents[2])},
    )
    assert json.loads(loaded.stdout) == [_readable(m) for m in matches if m is not None]


def test_a_match_no_rerun_gives_back_is_refused_as_before() -> None:
    second = list(re.finditer(r"\d", "a1b2"))[1]  # search from pos 0 finds "1", not "2"
    with pytest.raises(TypeError, match=r"cannot pickle 're\.Match' object"):
        byvalue.dumps(second)


SOURCE = """import re

FIELD = re.compile(r"(?P<name>[a-z]+)(?::(?P<width>\\d+))?")


def evaluate(m):
    width = m.group("width")
    return {"name": m.group("name"), "width": int(width) if width else None, "end": m.end()}
"""
TESTS = """from pkg.fmt import FIELD, evaluate


def test_evaluate():
    assert evaluate(FIELD.match("abc:12")) == {"name": "abc", "width": 12, "end": 6}
    assert evaluate(FIELD.search("  xy", 1)) == {"name": "xy", "width": None, "end": 4}
"""
EVALUATE = FunctionTarget("pkg/fmt.py", "evaluate", 6, 8)


@pytest.fixture(scope="module")
def proof(tmp_path_factory: pytest.TempPathFactory) -> Proof:
    files = {"pkg/__init__.py": "", "pkg/fmt.py": SOURCE, "tests/test_fmt.py": TESTS}
    base = tmp_path_factory.mktemp("rematch")
    made, recording = recorded_project(base, files, [EVALUATE], DifferentialSettings(0))
    assert recording.tests_ok, recording.log_tail
    seen = recording.for_target(EVALUATE)
    assert (seen.recorded, seen.skipped) == (2, {}), seen.describe()
    return made


def test_inputs_holding_matches_are_recorded_and_a_wrong_candidate_is_caught(
    proof: Proof, tmp_path: Path
) -> None:
    behaviour = frozenset({Check.BEHAVIOUR})
    same = SOURCE.replace('m.group("name")', 'm["name"]')
    verdict = prove_checks(proof, EVALUATE, SOURCE, same, tmp_path / "same", behaviour)
    assert verdict.accepted, verdict.reason
    assert verdict.checks[0].outcome is CheckOutcome.PASSED
    assert verdict.checks[0].data["inputs_compared"] == 2
    wrong = SOURCE.replace('"end": m.end()', '"end": m.end() - m.pos')  # pos 1 survives
    verdict = prove_checks(proof, EVALUATE, SOURCE, wrong, tmp_path / "wrong", behaviour)
    assert not verdict.accepted
    assert "behaviour differs on recorded input" in verdict.reason
