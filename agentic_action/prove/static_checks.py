"""The static checks: ruff, mypy and semgrep judge a candidate by what it ADDS to HEAD.

Method (the report points here):

- :func:`static_baseline` runs each tool once on HEAD for the files a candidate may change;
  :func:`run_static_checks` runs them on the candidate's tree and fails a tool's check when the
  candidate has findings HEAD did not have. Code that was already flagged is not held against it.
- Findings are matched by (file, code, message) with line numbers left out (also inside messages:
  "defined on line 12" becomes "defined on line N"), counted as a multiset: moving code does
  not add findings, a second copy of a flagged pattern does. Which of several equal findings is
  "the new one" is decided by the text of the flagged line.
- ruff: the repository's own configuration when it has one at its root, else E,F,W,B without
  E501. ``ruff format --check`` is part of the ruff check, per file: a file that is format-clean
  on HEAD must stay clean; a file that is not is not judged by format.
- mypy: only when HEAD type-checks (no error in anything mypy reports for those files), else the
  check is skipped and says why; the repository's own mypy configuration is used when present.
- semgrep: only the rules shipped in ``semgrep_rules/`` (never fetched; metrics and version
  checks off).
- A tool that is not installed is "skipped"; one that crashes or times out is "error" with the
  tail of its output; a tool that crashed on HEAD cannot judge anything and is "skipped".
- The tools run concurrently (one thread per tool, each a sandboxed subprocess).
- semgrep's findings are kept by file content (``static_cache.py``): the rules candidates of a
  run are scanned by one semgrep run before the agents start (:func:`prefetch_semgrep`), and a
  file version seen before (this run, or an earlier one with a state directory) is not scanned
  again.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from agentic_action.model import CheckOutcome, CheckResult
from agentic_action.prove.static_cache import SemgrepCache, Version
from agentic_action.prove.static_tools import (
    RULES_DIR,
    TOOLS,
    Finding,
    RunState,
    ToolJob,
    ToolRun,
    find_command,
    run_tool,
)

LEVELS: dict[str, tuple[str, ...]] = {
    "quick": (),
    "standard": ("ruff", "semgrep"),
    "thorough": ("ruff", "mypy", "semgrep"),
}
DEFAULT_TIMEOUT = 300.0  # seconds per tool run
MAX_LISTED = 20  # new findings named in a check's detail
Commands = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class StaticBaseline:
    """What each tool found on HEAD for ``files`` (plus mypy's warm cache, when kept)."""

    root: Path
    files: tuple[str, ...]
    runs: tuple[ToolRun, ...]
    mypy_cache: Path | None = None
    python: str | None = None  # the interpreter mypy resolves imports in (None: its own)
    semgrep: SemgrepCache | None = None  # its findings by file content (None: no semgrep)

    @property
    def tools(self) -> tuple[str, ...]:
        return tuple(run.tool for run in self.runs)

    def run_for(self, tool: str) -> ToolRun:
        for run in self.runs:
            if run.tool == tool:
                return run
        raise ValueError(
            f"the static baseline has no {tool!r} run (it has {', '.join(self.tools) or 'none'}): "
            f"pass {tool!r} in static_baseline(tools=...)"
        )


def tools_for_level(level: str) -> tuple[str, ...]:
    """The static tools a validation level runs: quick none, standard ruff and semgrep,
    thorough all three."""
    if level not in LEVELS:
        raise ValueError(f"unknown validation level {level!r}: choose one of {', '.join(LEVELS)}")
    return LEVELS[level]


def static_baseline(
    root: Path,
    files: Sequence[str],
    *,
    tools: Collection[str] = TOOLS,
    timeout: float = DEFAULT_TIMEOUT,
    scratch: Path | None = None,
    commands: Commands | None = None,
    python: str | None = None,
    keep: Path | None = None,
) -> StaticBaseline:
    """Run ``tools`` on HEAD's tree at ``root``. With ``scratch``, mypy's cache from this run is
    kept there and copied for each candidate (much faster when the files import big typed
    libraries); without it, mypy runs with ``--no-incremental``. ``python``: the interpreter
    the repository's dependencies are installed in (mypy's ``--python-executable``; default:
    mypy's own). ``commands`` replaces a tool's command (for example the repository's own mypy).
    ``keep``: a folder where semgrep's findings by file content outlive the run.
    """
    root = root.resolve()
    checked = _check_files(root, files)
    chosen = _check_tools(tools)
    cache = None
    if scratch is not None and "mypy" in chosen:
        digest = hashlib.sha256(f"{root}\0{checked}".encode()).hexdigest()[:12]
        cache = scratch.resolve() / f"mypy-cache-{digest}"
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(parents=True)
    semgrep = None
    if "semgrep" in chosen:
        semgrep = SemgrepCache(keep, find_command("semgrep", (commands or {}).get("semgrep")))
    tools_run = _Tools(timeout, commands or {}, cache, python, semgrep)
    runs = tools_run.run_all(root, dict.fromkeys(chosen, checked))
    runs_in_order = tuple(runs[tool] for tool in chosen)
    return StaticBaseline(root, checked, runs_in_order, cache, python, semgrep)


def prefetch_semgrep(
    baseline: StaticBaseline, versions: Sequence[Version], *, timeout: float = DEFAULT_TIMEOUT
) -> int:
    """Scan these versions of the baseline's files (path, bytes: the candidates a run will
    prove) with one semgrep run, so that their static checks find semgrep's answer waiting.
    Returns how many versions that run scanned (0: none needed, or semgrep cannot judge)."""
    if baseline.semgrep is None or _why_not_judged(baseline.run_for("semgrep")):
        return 0
    ours = [(path, content) for path, content in versions if path in baseline.files]
    command = baseline.semgrep.command
    with tempfile.TemporaryDirectory(prefix="agentic-semgrep-") as work:
        job = ToolJob(Path(work), (), timeout, command, Path(work))
        return baseline.semgrep.prefetch(ours, job)


def run_static_checks(
    candidate_root: Path,
    files: Sequence[str],
    baseline: StaticBaseline,
    *,
    tools: Collection[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    commands: Commands | None = None,
) -> list[CheckResult]:
    """One :class:`CheckResult` per tool (in the order of ``tools``, default: the baseline's):
    passed when the candidate adds no finding, failed naming each new one (file:line code
    message), skipped or error with the reason."""
    root = candidate_root.resolve()
    checked = _check_files(root, files)
    outside = sorted(set(checked) - set(baseline.files))
    if outside:
        raise ValueError(
            f"files not in the static baseline: {', '.join(outside)}; "
            "compute the baseline with every file a candidate may change"
        )
    chosen = _check_tools(baseline.tools if tools is None else tools)
    results: dict[str, CheckResult] = {}
    to_run = []
    for tool in chosen:
        reason = _why_not_judged(baseline.run_for(tool))
        if reason:
            results[tool] = CheckResult(tool, CheckOutcome.SKIPPED, reason)
        else:
            to_run.append(tool)
    with tempfile.TemporaryDirectory(prefix="agentic-mypy-") as scratch:
        cache = None
        if "mypy" in to_run and baseline.mypy_cache is not None:
            cache = Path(scratch) / "cache"
            shutil.copytree(baseline.mypy_cache, cache)
        # mypy sees the same file list as on HEAD (comparable results; callers of a changed
        # function in the other files are checked too); ruff and semgrep only what changed.
        files_for = {tool: baseline.files if tool == "mypy" else checked for tool in to_run}
        # semgrep's kept answers are the baseline's semgrep's: not for another semgrep command
        kept = None if (commands or {}).get("semgrep") else baseline.semgrep
        tools_run = _Tools(timeout, commands or {}, cache, baseline.python, kept)
        runs = tools_run.run_all(root, files_for)
    for tool in to_run:
        results[tool] = judge(baseline.run_for(tool), runs[tool], checked)
    return [results[tool] for tool in chosen]


def new_findings(before: Sequence[Finding], after: Sequence[Finding]) -> list[Finding]:
    """The findings of ``after`` that ``before`` does not account for (see the module doc)."""
    on_head = Counter(f.key for f in before)
    head_texts: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for finding in before:
        head_texts[finding.key][finding.text] += 1
    grouped: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    for finding in sorted(after, key=lambda f: (f.file, f.line)):
        grouped[finding.key].append(finding)
    added: list[Finding] = []
    for key, items in grouped.items():
        excess = len(items) - on_head[key]
        if excess <= 0:
            continue
        texts = head_texts[key]
        fresh, known = [], []
        for finding in items:
            if texts[finding.text] > 0:
                texts[finding.text] -= 1
                known.append(finding)
            else:
                fresh.append(finding)
        added += (fresh + known[::-1])[:excess]
    return sorted(added, key=lambda f: (f.file, f.line, f.code))


def judge(head: ToolRun, candidate: ToolRun, files: Sequence[str]) -> CheckResult:
    """Compare one tool's run on the candidate with its run on HEAD."""
    tool = candidate.tool
    if candidate.state is RunState.MISSING:
        return CheckResult(tool, CheckOutcome.SKIPPED, candidate.detail)
    if candidate.state is RunState.CRASHED:
        return CheckResult(tool, CheckOutcome.ERROR, candidate.detail, candidate.seconds)
    if tool != "mypy":  # mypy also reports modules the files import; the others only the files
        wanted = set(files)
        head = _only(head, wanted)
        candidate = _only(candidate, wanted)
    added = new_findings(head.findings, candidate.findings)
    fixed = len(head.findings) - (len(candidate.findings) - len(added))
    data = {
        "head": len(head.findings),
        "candidate": len(candidate.findings),
        "new": len(added),
        "fixed": max(fixed, 0),
        "new_findings": [f.describe() for f in added[:MAX_LISTED]],
        "head_seconds": round(head.seconds, 3),
        **candidate.info,
    }
    if not added:
        detail = f"no new findings ({len(head.findings)} on HEAD, {len(candidate.findings)} now)"
        return CheckResult(tool, CheckOutcome.PASSED, detail, candidate.seconds, data)
    lines = [f"  {f.describe()}" for f in added[:MAX_LISTED]]
    if len(added) > MAX_LISTED:
        lines.append(f"  ... and {len(added) - MAX_LISTED} more")
    detail = f"{len(added)} new finding(s) that HEAD does not have:\n" + "\n".join(lines)
    return CheckResult(tool, CheckOutcome.FAILED, detail, candidate.seconds, data)


def _why_not_judged(head: ToolRun) -> str:
    """Why a tool cannot judge candidates, given its run on HEAD ("" when it can)."""
    if head.state is RunState.MISSING:
        return head.detail
    if head.state is RunState.CRASHED:
        return f"{head.tool} failed on HEAD, so it cannot judge a candidate: {head.detail}"
    if head.tool == "mypy" and head.findings:
        first = head.findings[0].describe()
        return f"HEAD does not type-check ({len(head.findings)} errors; first: {first})"
    return ""


def _only(run: ToolRun, files: set[str]) -> ToolRun:
    kept = tuple(f for f in run.findings if f.file in files)
    return ToolRun(run.tool, run.state, kept, run.detail, run.seconds, run.info)


@dataclass(frozen=True)
class _Tools:
    """How the tools run: time limit, commands, mypy's cache, the interpreter mypy resolves
    imports in, and semgrep's answers by file content."""

    timeout: float
    commands: Commands
    mypy_cache: Path | None
    python: str | None
    semgrep: SemgrepCache | None

    def run_all(self, root: Path, files_for: dict[str, tuple[str, ...]]) -> dict[str, ToolRun]:
        """Run each tool on its files, concurrently (one thread per tool)."""
        tools = tuple(files_for)
        if not tools:
            return {}
        with tempfile.TemporaryDirectory(prefix="agentic-static-") as work:

            def one(tool: str) -> ToolRun:
                return self._one(tool, root, files_for[tool], Path(work) / tool)

            with ThreadPoolExecutor(max_workers=len(tools), thread_name_prefix="static") as pool:
                return dict(zip(tools, pool.map(one, tools), strict=True))

    def _one(self, tool: str, root: Path, files: tuple[str, ...], folder: Path) -> ToolRun:
        versions: list[Version] = []
        if tool == "semgrep" and self.semgrep is not None:
            versions = [(name, (root / name).read_bytes()) for name in files]
            known = self.semgrep.get_all(versions)
            if known is not None:
                info = {"rules": str(RULES_DIR), "errors": [], "from_cache": True}
                return ToolRun(tool, RunState.OK, known, info=info)
        folder.mkdir()
        asked_for = self.commands.get(tool)
        cache = self.mypy_cache if tool == "mypy" else None
        job = ToolJob(
            root,
            files,
            self.timeout,
            find_command(tool, asked_for),
            folder,
            cache,
            tuple(asked_for or ()),
            self.python,
        )
        run = run_tool(tool, job)
        if versions and self.semgrep is not None and run.state is RunState.OK:
            for name, content in versions:
                self.semgrep.put(name, content, run.findings)
        return run


def _check_tools(tools: Collection[str]) -> tuple[str, ...]:
    if isinstance(tools, str):
        raise ValueError(f"tools must be a collection of names, not the string {tools!r}")
    unknown = sorted(set(tools) - set(TOOLS))
    if unknown:
        raise ValueError(f"unknown static check(s) {', '.join(unknown)}: choose from {TOOLS}")
    return tuple(dict.fromkeys(tools))


def _check_files(root: Path, files: Sequence[str]) -> tuple[str, ...]:
    if isinstance(files, str):
        raise ValueError(f"files must be a sequence of paths, not the string {files!r}")
    if not files:
        raise ValueError("no files to check: name the Python files a candidate changes")
    checked = []
    for name in files:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or "\\" in name:
            raise ValueError(f"{name!r} must be a POSIX path relative to the repository root")
        if path.suffix not in (".py", ".pyi"):
            raise ValueError(f"{name!r} is not a Python file (.py or .pyi)")
        if not (root / path).is_file():
            raise ValueError(f"{name!r} does not exist under {root}")
        checked.append(path.as_posix())
    return tuple(dict.fromkeys(checked))
