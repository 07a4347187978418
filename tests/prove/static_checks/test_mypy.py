"""mypy judges a candidate only where HEAD type-checks, by the repository's own settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from static_trees import head_and_candidate

from agentic_action.model import CheckOutcome, CheckResult
from agentic_action.prove.static_checks import run_static_checks, static_baseline

TYPED = """from __future__ import annotations


def total(values: list[int]) -> int:
    result = 0
    for value in values:
        result += value
    return result


def label(count: int) -> str:
    return f"{count} items"
"""

FASTER = TYPED.replace(
    "    result = 0\n    for value in values:\n        result += value\n    return result",
    "    return sum(values)",
)
WRONG_TYPE = TYPED.replace('    return f"{count} items"', "    return count")
UNTYPED_HELPER = TYPED + "\n\ndef helper(x):\n    return x\n"


def check(
    tmp_path: Path, files: dict[str, str], changes: dict[str, str], scratch: Path | None = None
) -> CheckResult:
    head, candidate = head_and_candidate(tmp_path, files, changes)
    baseline = static_baseline(head, ["calc.py"], tools=("mypy",), scratch=scratch)
    (result,) = run_static_checks(candidate, ["calc.py"], baseline)
    assert result.name == "mypy"
    return result


def test_a_candidate_that_keeps_types_right_passes(tmp_path: Path) -> None:
    result = check(tmp_path, {"calc.py": TYPED}, {"calc.py": FASTER})
    assert result.outcome is CheckOutcome.PASSED, result.detail


def test_a_candidate_that_adds_a_type_error_fails_naming_it(tmp_path: Path) -> None:
    result = check(tmp_path, {"calc.py": TYPED}, {"calc.py": WRONG_TYPE})
    assert result.outcome is CheckOutcome.FAILED
    assert "calc.py:12 return-value Incompatible return value type" in result.detail


def test_mypy_is_skipped_when_head_does_not_type_check(tmp_path: Path) -> None:
    result = check(tmp_path, {"calc.py": WRONG_TYPE}, {"calc.py": WRONG_TYPE + "x: int = 'a'\n"})
    assert result.outcome is CheckOutcome.SKIPPED
    assert result.detail.startswith("HEAD does not type-check (1 errors; first: calc.py:12")


def test_the_repositorys_mypy_config_is_used(tmp_path: Path) -> None:
    strict = "[tool.mypy]\ndisallow_untyped_defs = true\n"
    with_config = check(
        tmp_path / "a", {"calc.py": TYPED, "pyproject.toml": strict}, {"calc.py": UNTYPED_HELPER}
    )
    assert with_config.outcome is CheckOutcome.FAILED
    assert "no-untyped-def" in with_config.detail
    assert with_config.data["config"] == "pyproject.toml"
    without = check(tmp_path / "b", {"calc.py": TYPED}, {"calc.py": UNTYPED_HELPER})
    assert without.outcome is CheckOutcome.PASSED, without.detail


def test_a_mypy_ini_is_found_too(tmp_path: Path) -> None:
    config = "[mypy]\ndisallow_untyped_defs = True\n"
    result = check(tmp_path, {"calc.py": TYPED, "mypy.ini": config}, {"calc.py": UNTYPED_HELPER})
    assert result.outcome is CheckOutcome.FAILED
    assert result.data["config"] == "mypy.ini"


def test_a_warm_cache_from_head_still_sees_the_candidates_new_error(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    result = check(tmp_path, {"calc.py": TYPED}, {"calc.py": WRONG_TYPE}, scratch=scratch)
    assert result.outcome is CheckOutcome.FAILED
    assert "return-value" in result.detail
    assert any(scratch.iterdir())  # HEAD's cache was kept for the candidates


def test_a_candidate_that_breaks_a_caller_in_another_checked_file_fails(tmp_path: Path) -> None:
    caller = "from calc import label\n\n\ndef title() -> str:\n    return label(3).upper()\n"
    files = {"calc.py": TYPED, "report.py": caller}
    changed = TYPED.replace("def label(count: int) -> str:", "def label(count: int) -> int:")
    changed = changed.replace('    return f"{count} items"', "    return count")
    head, candidate = head_and_candidate(tmp_path, files, {"calc.py": changed})
    baseline = static_baseline(head, ["calc.py", "report.py"], tools=("mypy",))
    (result,) = run_static_checks(candidate, ["calc.py"], baseline)
    assert result.outcome is CheckOutcome.FAILED
    assert 'report.py:5 attr-defined "int" has no attribute "upper"' in result.detail


def test_mypy_resolves_imports_in_the_interpreter_the_repository_uses(
    tmp_path: Path, outside_tmp: Path
) -> None:
    env = outside_tmp / "env"  # the sandbox must see the interpreter: not under the host's /tmp
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    (site,) = env.glob("lib/python*/site-packages")
    (site / "onlythere").mkdir()
    (site / "onlythere" / "__init__.py").write_text("def size() -> int:\n    return 3\n")
    (site / "onlythere" / "py.typed").write_text("")
    files = {"calc.py": "from onlythere import size\n\nVALUE: int = size()\n"}
    files["mypy.ini"] = "[mypy]\n"
    changes = {"calc.py": "from onlythere import size\n\nVALUE: str = size()\n"}
    head, candidate = head_and_candidate(tmp_path, files, changes)

    ours = static_baseline(head, ["calc.py"], tools=("mypy",))
    (blind,) = run_static_checks(candidate, ["calc.py"], ours)
    assert blind.outcome is CheckOutcome.SKIPPED
    assert "import-not-found" in blind.detail

    python = str(env / "bin" / "python")
    theirs = static_baseline(head, ["calc.py"], tools=("mypy",), python=python)
    (seeing,) = run_static_checks(candidate, ["calc.py"], theirs)
    assert seeing.outcome is CheckOutcome.FAILED
    assert "calc.py:3 assignment" in seeing.detail
