"""What ``optimize --dry-run`` shows: the candidates a run would try, with their rules and lines.

Nothing is proven: no worktree, no test run, no benchmark. The rules pass proposes (an LLM
method is not called: a dry run spends no tokens), and the answer goes to report.json under
``dry_run`` and to the console.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from agentic_action.methods.rules import rules_candidate
from agentic_action.model import Candidate, FunctionTarget
from agentic_action.rewrite import Tier
from agentic_action.rewrite.rules_pass import RulesPass


def propose(
    targets: Sequence[FunctionTarget],
    sources: Mapping[str, str],
    rules: RulesPass,
    no_candidate: MutableMapping[str, str],
    tier: Tier = "proven",
) -> dict[str, Any]:
    """The rules pass's candidate for each target (in the order a run would try them); targets
    without one get their reason in ``no_candidate``. The report.json ``dry_run`` section."""
    started = time.perf_counter()
    computed = rules.computed_files
    candidates = []
    for target in targets:
        found = rules_candidate(target, sources[target.file], rules=rules, tier=tier)
        if isinstance(found, str):
            no_candidate[target.key] = found
        else:
            candidates.append(_candidate_json(found, sources[target.file]))
    return {
        "functions": len(targets),
        "tier": tier,
        "candidates": candidates,
        "files_computed": rules.computed_files - computed,  # the others came from the cache
        "seconds": round(time.perf_counter() - started, 3),
    }


def _candidate_json(candidate: Candidate, source: str) -> dict[str, Any]:
    target = candidate.target
    return {
        "file": target.file,
        "function": target.qualname,
        "lines": [target.start_line, target.end_line],
        "rules": sorted({e.rule for e in candidate.edits}),
        "edits": [{"rule": e.rule, "title": e.title, "line": e.line} for e in candidate.edits],
        "diff": _diff(target.file, source, candidate.new_source),
    }


def _diff(path: str, old: str, new: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    return "".join(lines)


def describe(section: Mapping[str, Any]) -> str:
    """The console's account of a dry run: one line per candidate, its rules and lines."""
    candidates = section["candidates"]
    lines = [
        f"agentic-optimizer: dry run: {len(candidates)} candidate(s) among "
        f"{section['functions']} function(s); nothing was proven and the repository is untouched"
    ]
    for item in candidates:
        start, end = item["lines"]
        lines.append(f"  {item['file']}:{start}-{end} {item['function']}")
        lines.extend(f"    line {e['line']}: {e['rule']} {e['title']}" for e in item["edits"])
    return "\n".join(lines)
