"""Running a repository's pytest suite (or part of it) in the sandbox and reading its outcome."""

from __future__ import annotations

import configparser
import hashlib
import re
import shlex
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from agentic_action.sandbox.launch import worktree_pythonpath
from agentic_action.sandbox.runner import SandboxResult, run_sandboxed

NO_TESTS_COLLECTED = 5
TESTS_FAILED = 1
# What pytest-cov and coverage print when a repository's own ``fail_under`` turns an all-passing
# run into exit 1. A threshold is the repository's policy, not a test outcome: never a verdict.
COVERAGE_THRESHOLD = re.compile(
    r"(FAIL Required test coverage of [\d.]+% not reached[^\n]*"
    r"|Coverage failure: total of [\d.]+ is less than fail-under=[\d.]+)"
)
MAX_IDS_ON_COMMAND_LINE = 400
USAGE_ERROR = 4
# pytest's refusal of our -m expression where the repository's addopts has --strict-markers and
# registers no `integration`/`performance` marker (so no test of its can carry them).
UNKNOWN_MARKER = "in '-m' expression"
# The files pytest reads its configuration from, in its order, with the section that holds it
# (None: pyproject.toml's [tool.pytest.ini_options] table).
PYTEST_CONFIGS: tuple[tuple[str, str | None], ...] = (
    ("pytest.ini", "pytest"),
    (".pytest.ini", "pytest"),
    ("pyproject.toml", None),
    ("tox.ini", "pytest"),
    ("setup.cfg", "tool:pytest"),
)
_NO_MARKERS: set[str] = set()  # configuration keys whose pytest refuses our -m expression


@dataclass(frozen=True)
class PytestOptions:
    python: str
    timeout: float
    run_integration: bool = False
    run_performance: bool = False

    def marker_expression(self) -> str | None:
        excluded = [
            name
            for name, enabled in (
                ("integration", self.run_integration),
                ("performance", self.run_performance),
            )
            if not enabled
        ]
        return " and ".join(f"not {name}" for name in excluded) or None


@dataclass(frozen=True)
class TestOutcome:
    """What one pytest run said."""

    ran: bool  # pytest started and produced a report
    total: int = 0
    failed: tuple[str, ...] = ()
    no_tests: bool = False
    timed_out: bool = False
    seconds: float = 0.0
    output_tail: str = ""
    exit_code: int | None = None
    passed_ids: tuple[str, ...] = field(default=(), repr=False)
    # Why the exit status disagrees with the test outcomes, when it does ("" when it agrees).
    exit_note: str = ""
    # The disagreement is only a coverage threshold: the outcomes decide, and they passed.
    exit_overruled: bool = False

    @property
    def green(self) -> bool:
        clean_exit = self.exit_code in (0, None) or self.exit_overruled
        return self.ran and not self.failed and not self.timed_out and clean_exit

    def describe(self) -> str:
        if self.timed_out:
            return f"timed out after {self.seconds:.0f}s"
        if self.no_tests:
            return "no tests were collected"
        if not self.ran:
            return f"pytest did not run (exit {self.exit_code}): {self.output_tail[-400:]}"
        if self.failed:
            shown = ", ".join(self.failed[:5]) + (" ..." if len(self.failed) > 5 else "")
            return f"{len(self.failed)} of {self.total} tests failed: {shown}"
        passed = f"{self.total} tests passed in {self.seconds:.1f}s"
        return f"{passed} ({self.exit_note})" if self.exit_note else passed


def pytest_argv(
    options: PytestOptions,
    *,
    junit: Path,
    test_ids: Sequence[str] | None = None,
    extra: Sequence[str] = (),
    prefix: Sequence[str] = ("-m", "pytest"),
    repo_marker: str | None = None,
) -> list[str]:
    """``repo_marker``: the ``-m`` expression of the repository's addopts. Our ``-m`` comes
    later and would replace it (click deselects 31,000 stress tests that way), so it is kept
    inside ours."""
    argv = [options.python, *prefix, "-q", "-p", "no:cacheprovider", f"--junitxml={junit}"]
    argv += ["-o", "junit_family=xunit2"]
    marker = options.marker_expression()
    if marker:
        argv += ["-m", f"({repo_marker}) and {marker}" if repo_marker else marker]
    argv += list(extra)
    if test_ids:
        argv += narrow_ids(test_ids)
    return argv


def narrow_ids(test_ids: Sequence[str]) -> list[str]:
    """Node ids, or their files when there are too many to pass on a command line."""
    if len(test_ids) <= MAX_IDS_ON_COMMAND_LINE:
        return sorted(test_ids)
    return sorted({test_id.split("::", 1)[0] for test_id in test_ids})


def run_pytest(
    root: Path,
    options: PytestOptions,
    *,
    scratch: Path,
    name: str,
    test_ids: Sequence[str] | None = None,
    extra: Sequence[str] = (),
    extra_env: dict[str, str] | None = None,
    prefix: Sequence[str] = ("-m", "pytest"),
) -> tuple[TestOutcome, SandboxResult]:
    key = _config_key(options.python, root)
    if key in _NO_MARKERS:
        options = replace(options, run_integration=True, run_performance=True)
    junit = scratch / f"{name}.junit.xml"
    junit.unlink(missing_ok=True)
    argv = pytest_argv(
        options, junit=junit, test_ids=test_ids, extra=extra, prefix=prefix,
        repo_marker=addopts_marker(root),
    )  # fmt: skip
    result = run_sandboxed(
        argv,
        cwd=root,
        timeout=options.timeout,
        writable=[scratch],
        extra_env={"PYTHONPATH": worktree_pythonpath(root), **(extra_env or {})},
    )
    refused = result.returncode == USAGE_ERROR and UNKNOWN_MARKER in result.stdout + result.stderr
    if refused and options.marker_expression():
        _NO_MARKERS.add(key)  # --strict-markers: its tests cannot carry our markers
        return run_pytest(
            root, options, scratch=scratch, name=name, test_ids=test_ids, extra=extra,
            extra_env=extra_env, prefix=prefix,
        )  # fmt: skip
    return _outcome(result, junit), result


def addopts_marker(root: Path) -> str | None:
    """The ``-m`` expression in the addopts of the repository's pytest configuration, if any
    (the first file pytest itself would read: pytest.ini, .pytest.ini, pyproject.toml,
    tox.ini, setup.cfg)."""
    addopts = _addopts(root)
    if addopts is None:
        return None
    try:  # a TOML list is already split: "not property" is one argument there
        words = shlex.split(addopts) if isinstance(addopts, str) else addopts
    except ValueError:
        return None
    for index, word in enumerate(words):
        if word == "-m" and index + 1 < len(words):
            return words[index + 1]
        if word.startswith("-m") and len(word) > 2 and not word.startswith("--"):
            return word[2:].lstrip("=")
    return None


def _addopts(root: Path) -> str | list[str] | None:
    for name, section in PYTEST_CONFIGS:
        path = root / name
        if not path.is_file():
            continue
        if section is None:
            try:
                table = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
            options = table.get("tool", {}).get("pytest", {}).get("ini_options")
            if isinstance(options, dict):
                value = options.get("addopts", "")
                return [str(v) for v in value] if isinstance(value, list) else str(value)
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            continue
        if parser.has_section(section):
            return parser.get(section, "addopts", fallback="")
        if name in ("pytest.ini", ".pytest.ini"):
            return ""
    return None


def _config_key(python: str, root: Path) -> str:
    """The interpreter and the repository's pytest configuration (the same in every worktree
    of one commit)."""
    digest = hashlib.sha256(python.encode())
    for name, _ in PYTEST_CONFIGS:
        path = root / name
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()


def _outcome(result: SandboxResult, junit: Path) -> TestOutcome:
    tail = result.tail(40)
    if result.timed_out:
        return TestOutcome(ran=False, timed_out=True, seconds=result.seconds, output_tail=tail)
    if result.returncode == NO_TESTS_COLLECTED:
        return TestOutcome(ran=True, no_tests=True, seconds=result.seconds, exit_code=5)
    if not junit.is_file():
        return TestOutcome(
            ran=False, seconds=result.seconds, output_tail=tail, exit_code=result.returncode
        )
    total, failed, passed = _read_junit(junit)
    note, overruled = ("", False) if failed else _exit_disagreement(result)
    if result.returncode not in (0, TESTS_FAILED) and not failed:
        failed = (f"pytest exited with {result.returncode}",)
    return TestOutcome(
        ran=True,
        total=total,
        failed=failed,
        seconds=result.seconds,
        output_tail=tail,
        exit_code=result.returncode,
        passed_ids=passed,
        exit_note=note,
        exit_overruled=overruled,
    )


def _exit_disagreement(result: SandboxResult) -> tuple[str, bool]:
    """Why pytest exited non-zero though no test failed, and whether the outcomes overrule it
    (only a coverage threshold does: it measures the suite, not the code's behaviour)."""
    if result.returncode in (0, None):
        return "", False
    found = COVERAGE_THRESHOLD.search(result.stdout + "\n" + result.stderr)
    if result.returncode == TESTS_FAILED and found:
        why = found.group(1).strip()
        return f"pytest exited 1 only because of the repository's coverage threshold: {why}", True
    last = result.tail(1) or "no output"
    return f"pytest exited {result.returncode} although no test failed; last output: {last}", False


def _read_junit(path: Path) -> tuple[int, tuple[str, ...], tuple[str, ...]]:
    try:
        tree = ET.parse(path)
    except ET.ParseError:
        return 0, ("junit report unreadable",), ()
    failed: list[str] = []
    passed: list[str] = []
    total = 0
    for case in tree.iter("testcase"):
        test_id = _node_id(case)
        if case.find("skipped") is not None:
            continue
        total += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(test_id)
        else:
            passed.append(test_id)
    return total, tuple(failed), tuple(passed)


def _node_id(case: ET.Element) -> str:
    classname = case.get("classname", "")
    name = case.get("name", "")
    return f"{classname}::{name}" if classname else name
