"""Local functions and lambdas in recorded inputs: pickled by value by the recorder, loaded back
by the replay workers (a test's callback, click's ``Command(callback=...)``)."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from differential_world import Proof, candidate_copy, prove_checks, recorded_project

from agentic_action.model import CheckOutcome, FunctionTarget
from agentic_action.prove.benchmark import compare_speed
from agentic_action.prove.differential import DifferentialSettings
from agentic_action.prove.gate import Check, GateVerdict
from agentic_action.record import byvalue, input_files

SOURCE = """class Command:
    def __init__(self, name, callback):
        self.name = name
        self.callback = callback

    def invoke(self, value):
        return self.name + ":" + str(self.callback(value))


def apply(func, values):
    return [func(v) for v in values]
"""
TESTS = """from pkg.app import Command, apply


def test_apply():
    offset = 10

    def shift(v):
        return v + offset

    assert apply(shift, [1, 2]) == [11, 12]
    assert apply(lambda v: v * 3, [1, 2]) == [3, 6]


def test_command():
    def greet(v):
        return "hi " + v

    assert Command("c", greet).invoke("bob") == "c:hi bob"
    assert Command("d", lambda v: v.upper()).invoke("ann") == "d:ANN"
"""
APPLY = FunctionTarget("pkg/app.py", "apply", 10, 11)
INVOKE = FunctionTarget("pkg/app.py", "Command.invoke", 6, 7)

MODULE = """import functools


def make(k):
    def add(x):
        return x + k

    def fact(n):
        return 1 if n <= 1 else n * fact(n - 1)

    @functools.wraps(add)
    def twice(x):
        return 2 * add(x)

    return add, fact, twice, lambda y=k: y * 10
"""
LOAD = """import pickle, sys
add, fact, twice, lam = pickle.loads(sys.stdin.buffer.read())
print(add(1), fact(6), twice(1), twice.__wrapped__(2), twice.__qualname__, lam())
"""


@pytest.fixture(scope="module")
def proof(tmp_path_factory: pytest.TempPathFactory) -> Proof:
    files = {"pkg/__init__.py": "", "pkg/app.py": SOURCE, "tests/test_app.py": TESTS}
    base = tmp_path_factory.mktemp("byvalue")
    made, recording = recorded_project(base, files, [APPLY, INVOKE], DifferentialSettings(0))
    assert recording.tests_ok, recording.log_tail
    for target in (APPLY, INVOKE):
        seen = recording.for_target(target)
        assert (seen.recorded, seen.skipped) == (2, {}), seen.describe()
    return made


def _prove(proof: Proof, target: FunctionTarget, source: str, tmp_path: Path) -> GateVerdict:
    behaviour = frozenset({Check.BEHAVIOUR})
    return prove_checks(proof, target, SOURCE, source, tmp_path, behaviour)


@pytest.mark.parametrize("target", [APPLY, INVOKE], ids=["callback", "attribute"])
def test_inputs_holding_local_functions_are_recorded_and_replayed(
    proof: Proof, target: FunctionTarget, tmp_path: Path
) -> None:
    same = SOURCE.replace("for v in values]", "for v in list(values)]")
    verdict = _prove(proof, target, same, tmp_path)
    assert verdict.accepted, verdict.reason
    behaviour = verdict.checks[0]
    assert (behaviour.name, behaviour.outcome) == ("behaviour", CheckOutcome.PASSED)
    assert behaviour.data["inputs_compared"] == 2


@pytest.mark.parametrize(
    ("target", "old", "new", "reason"),
    [
        (APPLY, "for v in values]", "for v in values[:1]]", "return value: length 2 vs 1"),
        (INVOKE, '+ ":" +', '+ "-" +', "return value: 'c:hi bob' vs 'c-hi bob'"),
    ],
    ids=["callback", "attribute"],
)
def test_a_wrong_candidate_is_rejected_on_inputs_holding_local_functions(
    proof: Proof, target: FunctionTarget, old: str, new: str, reason: str, tmp_path: Path
) -> None:
    verdict = _prove(proof, target, SOURCE.replace(old, new), tmp_path)
    assert not verdict.accepted
    assert verdict.checks[-1].outcome is CheckOutcome.FAILED
    assert "behaviour differs on recorded input #0" in verdict.reason
    assert reason in verdict.reason


def test_inputs_holding_local_functions_are_timed_by_the_benchmark(
    proof: Proof, tmp_path: Path
) -> None:
    root, config = proof
    assert config.proof is not None and config.proof.inputs_dir is not None
    tree = candidate_copy(proof, tmp_path)
    verdict = compare_speed(root, tree, INVOKE, config.proof.inputs_dir, time_budget=0.3, lanes=1)
    assert verdict.evidence is not None, verdict.reason
    assert "could not be benchmarked" not in verdict.reason
    assert len(input_files(config.proof.inputs_dir, INVOKE.key)) == 2


def test_closures_and_recursive_local_functions_load_in_a_fresh_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "localfuncs.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    import localfuncs  # type: ignore[import-not-found]

    data = byvalue.dumps(localfuncs.make(3))
    assert data == byvalue.dumps(localfuncs.make(3))  # equal inputs, equal bytes (dedupe)
    assert data != byvalue.dumps(localfuncs.make(4))
    assert byvalue.dumps(pickle.loads(data)) == data  # written back as it was read
    with pytest.raises(AttributeError, match="local object"):
        pickle.dumps(localfuncs.make(3))
    loaded = subprocess.run(
        [sys.executable, "-c", LOAD],
        input=data,
        capture_output=True,
        check=True,
        env={"PYTHONPATH": f"{tmp_path}:{Path(byvalue.__file__).parents[2]}"},
    )
    assert loaded.stdout.decode().split() == ["4", "720", "8", "5", "make.<locals>.add", "30"]


def test_functions_found_by_name_and_other_local_objects_pickle_as_before() -> None:
    class Local:
        def method(self) -> int:
            return 1

    assert byvalue.dumps(len) == pickle.dumps(len, protocol=byvalue.PROTOCOL)
    assert byvalue.dumps(byvalue.dumps) == pickle.dumps(byvalue.dumps, protocol=byvalue.PROTOCOL)
    with pytest.raises(AttributeError, match="local object"):
        byvalue.dumps(Local().method)
    with pytest.raises(TypeError, match="generator"):
        byvalue.dumps(x for x in ())
