"""Non-determinism: pinned where we can, detected and reported honestly where we cannot."""

from __future__ import annotations

import shutil
from pathlib import Path

import gitrepos
import pytest

from agentic_action.model import CheckOutcome, FunctionTarget
from agentic_action.prove.behaviour import check_behaviour
from agentic_action.record import RecordingReport, record_inputs

CLOCK = """\
import datetime
import os
import random
import time
import uuid
from time import perf_counter


def stamp(tag):
    return (tag, time.time(), perf_counter(), random.random(), str(uuid.uuid4()),
            os.urandom(4), datetime.datetime.now().isoformat(), datetime.date.today())


def spin(limit):
    start = time.monotonic()
    turns = 0
    while time.monotonic() - start < limit:
        turns += 1
    return turns


def unique_words(text):
    return list(set(text.split()))


def noise(n):
    with open("/dev/urandom", "rb") as source:
        return n + source.read(1)[0]


def never_called(x):
    return x
"""

TESTS = """\
from clock import noise, spin, stamp, unique_words


def test_all():
    stamp("a")
    assert spin(0.01) > 0
    assert len(unique_words("b a c a")) == 3
    noise(1)
"""


def _target(name: str) -> FunctionTarget:
    return FunctionTarget("clock.py", name, 1, 1)


@pytest.fixture(scope="module")
def clock(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, RecordingReport]:
    """(original, identical copy, inputs, report)."""
    base = tmp_path_factory.mktemp("clock")
    root = gitrepos.make_repo(base / "original", {"clock.py": CLOCK, "test_clock.py": TESTS})
    names = ("stamp", "spin", "unique_words", "noise", "never_called")
    report = record_inputs(root, [_target(n) for n in names], out_dir=base / "inputs", timeout=120)
    copy = base / "copy"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".git"))
    return root, copy, base / "inputs", report


@pytest.mark.parametrize("name", ["stamp", "spin", "unique_words"])
def test_clocks_random_uuid_urandom_and_hash_seed_are_pinned(
    clock: tuple[Path, Path, Path, RecordingReport], name: str
) -> None:
    original, copy, inputs, _ = clock
    verdict = check_behaviour(original, copy, _target(name), inputs, timeout=60)
    assert verdict.equivalent, verdict.reason
    assert (verdict.inputs_compared, verdict.nondeterministic) == (1, 0)


def test_a_nondeterministic_original_is_reported_and_not_used_as_evidence(
    clock: tuple[Path, Path, Path, RecordingReport],
) -> None:
    original, copy, inputs, _ = clock
    verdict = check_behaviour(original, copy, _target("noise"), inputs, timeout=60)
    assert not verdict.equivalent
    assert (verdict.inputs_compared, verdict.nondeterministic) == (0, 1)
    assert verdict.to_check().outcome is CheckOutcome.SKIPPED
    assert "1 gave different results in two runs of the original" in verdict.reason


def test_without_recorded_inputs_there_is_no_evidence_either_way(
    clock: tuple[Path, Path, Path, RecordingReport],
) -> None:
    original, copy, inputs, report = clock
    assert report.for_target(_target("never_called")).calls == 0
    verdict = check_behaviour(original, copy, _target("never_called"), inputs, timeout=60)
    assert not verdict.equivalent
    assert verdict.to_check().outcome is CheckOutcome.SKIPPED
    assert verdict.reason.startswith("no recorded inputs for clock.py::never_called")
