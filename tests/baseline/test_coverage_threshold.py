"""A repository's own coverage ``fail_under`` never turns an all-passing suite red for us: the
baseline neutralises it, and any run whose exit status disagrees with its outcomes says why."""

from __future__ import annotations

import sys
from pathlib import Path

from gitrepos import make_repo

from agentic_action.baseline.suite import run_baseline
from agentic_action.sandbox import pytest_runner
from agentic_action.sandbox.pytest_runner import PytestOptions, run_pytest

CODE = "def half(x):\n    if x > 100:\n        return -1\n    return x / 2\n"
TEST = "from pkg.mod import half\n\n\ndef test_half():\n    assert half(4) == 2\n"


def _repo(tmp_path: Path, config: dict[str, str]) -> Path:
    files = {"pkg/__init__.py": "", "pkg/mod.py": CODE, "tests/test_mod.py": TEST, **config}
    return make_repo(tmp_path / "repo", files)


def _pytest(repo: Path, tmp_path: Path) -> pytest_runner.TestOutcome:
    """One pytest run of ``repo`` as our checks run it."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    outcome, _ = run_pytest(repo, PytestOptions(sys.executable, 120), scratch=scratch, name="t")
    return outcome


def test_fail_under_in_pyproject_leaves_the_baseline_green(tmp_path: Path) -> None:
    config = "[tool.coverage.report]\nfail_under = 100\n"
    repo = _repo(tmp_path, {"pyproject.toml": config})
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    baseline = run_baseline(repo, PytestOptions(sys.executable, 120), scratch)
    assert baseline.usable, baseline.describe()
    assert baseline.describe() == (
        f"1 tests passed in {baseline.outcome.seconds:.1f}s. Per-test coverage recorded."
    )


def test_a_threshold_from_addopts_is_overruled_and_named(tmp_path: Path) -> None:
    """The repository's addopts switch pytest-cov on in every run (setup.cfg's fail_under): the
    outcomes decide, and the outcome says exactly why pytest exited 1."""
    config = "[tool:pytest]\naddopts = --cov=pkg\n\n[coverage:report]\nfail_under = 100\n"
    repo = _repo(tmp_path, {"setup.cfg": config})
    outcome = _pytest(repo, tmp_path)
    assert outcome.exit_code == 1
    assert outcome.green
    why = "coverage threshold: Coverage failure: total of 75 is less than fail-under=100"
    assert why in outcome.describe()


def test_the_repositorys_coverage_config_cannot_crash_our_run(tmp_path: Path) -> None:
    """Its ``include`` beside our ``--cov`` warns; its ``filterwarnings = error`` would make
    that warning a crash: our coverage runs with a configuration of its own."""
    config = {".coveragerc": "[run]\ninclude = pkg/*\n", "pytest.ini": PYTEST_INI}
    repo = _repo(tmp_path, config)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    baseline = run_baseline(repo, PytestOptions(sys.executable, 120), scratch)
    assert baseline.usable, baseline.describe()
    assert baseline.coverage is not None
    assert baseline.coverage.tests_for("pkg/mod.py", [4]) == {"tests/test_mod.py::test_half"}


PYTEST_INI = "[pytest]\nfilterwarnings =\n    error\n"


def test_a_test_that_fails_only_under_our_tracing_leaves_the_baseline_green(
    tmp_path: Path,
) -> None:
    """Like a timing test slowed by the tracer: the suite passes without our instrumentation."""
    untraced = "def test_untraced():\n    import sys\n\n    assert 'coverage' not in sys.modules\n"
    repo = _repo(tmp_path, {"tests/test_timing.py": untraced})
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    baseline = run_baseline(repo, PytestOptions(sys.executable, 120), scratch)
    assert baseline.usable, baseline.describe()
    assert "1 test(s) failed only under our coverage tracing and pass without it" in (
        baseline.describe()
    )


def test_strict_markers_without_our_markers_still_run(tmp_path: Path) -> None:
    """pytest refuses our ``-m 'not integration ...'`` under the repository's --strict-markers
    when it registers no such marker; then no test can carry one, and the run goes without."""
    repo = _repo(tmp_path, {"pytest.ini": "[pytest]\naddopts = --strict-markers\n"})
    outcome = _pytest(repo, tmp_path)
    assert outcome.green, outcome.describe()
    assert outcome.total == 1


def test_the_repositorys_own_marker_expression_is_kept(tmp_path: Path) -> None:
    """Our ``-m`` comes after the addopts one and would replace it: it must keep it inside."""
    config = '[tool.pytest.ini_options]\naddopts = ["-m", "not stress"]\nmarkers = ["stress"]\n'
    stress = "import pytest\n\n\n@pytest.mark.stress\ndef test_heavy():\n    assert False\n"
    repo = _repo(tmp_path, {"pyproject.toml": config, "tests/test_stress.py": stress})
    outcome = _pytest(repo, tmp_path)
    assert outcome.green, outcome.describe()
    assert outcome.total == 1


def test_no_tests_is_not_described_as_recorded_coverage(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"pkg/__init__.py": "", "pkg/mod.py": CODE})
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    baseline = run_baseline(repo, PytestOptions(sys.executable, 120), scratch)
    assert not baseline.usable
    assert baseline.describe() == "no tests were collected."
