"""``agentic-optimizer merge DIR... --out DIR``: the outputs of a matrix of shards, as one run.

Every input is checked before anything is written; any problem raises :class:`MergeError`
naming the input and the fix, and the output directory is left as it was:

- each DIR holds a readable ``report.json`` (schema 1) and every patch its results name, intact;
- every input optimized the same base commit;
- the inputs are distinct shards of one split: each names its shard (``run.shard``, or the
  "Shard K/N: ..." note), all with the same N and no K twice. One unsharded output covers every
  target, so it cannot be merged with anything else. Missing shards are allowed and noted.

Then: one patch store (every input's patches, same CIDs), conflicts between the patches found
and resolved (``conflicts.py``; merged patches are re-validated in ``repo``), one ``report.json``
(totals recomputed, notes merged, ``run.shards`` listing the inputs) and one ``summary.md``.
Nothing is published here: the caller publishes ``MergeOutcome.publishable`` once.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentic_action.errors import BadInput
from agentic_action.fileutil import atomic_write
from agentic_action.model import PATCHES_DIR, Destination, OptimizationResult, Status
from agentic_action.patches import DEFAULT_HISTORY_LIMIT, PatchError, PatchStore
from agentic_action.patches.git import run_git
from agentic_action.plan.shard import Shard
from agentic_action.publish.conflicts import ConflictReport, resolve_run_conflicts
from agentic_action.publish.once import publish_once
from agentic_action.report.json_report import SCHEMA_VERSION, result_to_json
from agentic_action.report.read import (
    result_from_json,
    run_report_from_json,
    shard_of_report,
    timestamp,
)
from agentic_action.report.summary import write_summary
from agentic_action.report.tally import differential_section, methods_section
from agentic_action.sandbox.pytest_runner import PytestOptions

if TYPE_CHECKING:
    from agentic_action.ledger import Ledger
    from agentic_action.publish.control import ChangeControl


class MergeError(BadInput):
    """The inputs cannot be merged; the message names the input and the fix. Nothing written."""


@dataclass(frozen=True)
class ShardOutput:
    directory: Path
    data: dict[str, Any]
    shard: Shard | None
    store: PatchStore

    @property
    def base_commit(self) -> str:
        return str(self.data["run"]["base_commit"])

    @property
    def results(self) -> list[dict[str, Any]]:
        return list(self.data["results"])


@dataclass(frozen=True)
class MergeOutcome:
    out: Path
    report_path: Path
    summary_path: Path
    base_commit: str
    results: list[OptimizationResult]  # everything, as in report.json
    publishable: list[OptimizationResult]  # what to publish, once
    conflicts: ConflictReport
    notes: list[str]


def load_output(directory: Path) -> ShardOutput:
    """Read one shard's output and check every patch its results name (MergeError if not)."""
    path = directory / "report.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MergeError(
            f"{directory} has no report.json: pass the --out folder of a run"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MergeError(f"{path} is not a readable report ({error}); re-run that shard") from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version != SCHEMA_VERSION:
        raise MergeError(
            f"{path}: schema_version {version!r}, expected {SCHEMA_VERSION}: merge outputs "
            "written by this agentic-optimizer version"
        )
    try:
        shard = shard_of_report(data)
    except ValueError as error:
        raise MergeError(f"{path}: invalid shard: {error}") from None
    store = PatchStore(directory / PATCHES_DIR)
    output = ShardOutput(directory, data, shard, store)
    for result in output.results:
        patch = result.get("patch")
        if patch:
            _check_patch(output, patch["cid"], patch["reverse_cid"])
    return output


def _check_patch(output: ShardOutput, cid: str, reverse_cid: str) -> None:
    try:
        output.store.get(cid)
        output.store.read(cid)
        output.store.read(reverse_cid)
    except PatchError as error:
        raise MergeError(
            f"{output.directory}: patch {cid} named by report.json cannot be used: {error}"
        ) from None


def check_compatible(outputs: Sequence[ShardOutput]) -> list[str]:
    """MergeError unless the outputs are distinct shards of one split of one commit; returns
    notes (missing shards)."""
    if not outputs:
        raise MergeError("merge needs at least one output directory")
    first = outputs[0]
    for other in outputs[1:]:
        if other.base_commit != first.base_commit:
            raise MergeError(
                f"cannot merge outputs of different base commits: {first.directory} optimized "
                f"{first.base_commit}, {other.directory} optimized {other.base_commit}; run "
                "every shard on the same commit"
            )
    unsharded = next((o for o in outputs if o.shard is None), None)
    if unsharded is not None and len(outputs) == 1:
        return []
    if unsharded is not None:
        raise MergeError(
            f"{unsharded.directory} is not a shard (no run.shard and no 'Shard K/N' note): an "
            "unsharded run covers every target, so it overlaps every other output"
        )
    counts = {o.shard.count for o in outputs if o.shard}
    if len(counts) > 1:
        listed = ", ".join(f"{o.directory} is {o.shard}" for o in outputs)
        raise MergeError(f"the outputs are shards of different splits ({listed}): N must agree")
    seen: dict[int, Path] = {}
    for output in outputs:
        assert output.shard is not None
        if output.shard.index in seen:
            raise MergeError(
                f"shard {output.shard} appears twice ({seen[output.shard.index]} and "
                f"{output.directory}): each shard's output may be merged once"
            )
        seen[output.shard.index] = output.directory
    count = counts.pop()
    missing = [f"{k}/{count}" for k in range(1, count + 1) if k not in seen]
    if missing:
        return [
            f"Shard(s) {', '.join(missing)} missing from the merge: their targets were not "
            "worked on."
        ]
    return []


def merge_outputs(
    directories: Sequence[Path],
    out: Path,
    *,
    repo: Path | None = None,
    options: PytestOptions,
    ledger: Ledger | None = None,
    worktree_base: Path | None = None,
    control: ChangeControl | None = None,
) -> MergeOutcome:
    """Merge shard outputs into ``out``. MergeError (nothing written) on bad input.

    ``control`` in GitHub mode: the publishable results are published, once, before the
    report is written (``repo``, the clone to push branches from, is then required).
    """
    resolved = [Path(d).resolve() for d in directories]
    out = Path(out).resolve()
    if len(set(resolved)) != len(resolved):
        raise MergeError("the same output directory is given twice: pass each shard once")
    if out in resolved:
        raise MergeError(f"--out {out} is one of the inputs: write the merge to a new folder")
    outputs = [load_output(d) for d in resolved]
    notes = check_compatible(outputs)
    base = outputs[0].base_commit
    if repo is not None:
        _check_repo(repo, base)
    elif control is not None and control.mode == "github":
        raise MergeError("GitHub mode publishes from a clone: pass --repo (or run in the clone)")
    run_id = _start(ledger, outputs, repo)
    store = PatchStore(out / PATCHES_DIR, history_limit=_history(outputs))
    results = _copy_patches(outputs, store)
    conflicts = resolve_run_conflicts(
        results, store, repo, base, options=options, ledger=ledger, run_id=run_id,
        worktree_base=worktree_base,
    )  # fmt: skip
    notes += conflicts.notes
    results, publishable = conflicts.results, conflicts.publishable
    if control is not None and control.mode == "github" and repo is not None:
        results = publish_once(control, conflicts, store, repo, base)
        publishable = [results[i] for i in conflicts.publishable_at]
    document = _merged_document(outputs, results, notes)
    if control is not None and control.mode == "github":
        document["run"].update(mode_used="github", mode_reason=control.reason)
        document["github"] = control.github or None
    report_path, summary_path = out / "report.json", out / "summary.md"
    _write_json(report_path, document)
    write_summary(run_report_from_json(document, out), summary_path)
    if ledger is not None and run_id is not None:
        ledger.finish_run(run_id, summary=document["totals"])
    return MergeOutcome(
        out, report_path, summary_path, base, results, publishable, conflicts, notes
    )


def _check_repo(repo: Path, base: str) -> None:
    done = run_git(repo, "cat-file", "-e", f"{base}^{{commit}}")
    if done.returncode != 0:
        raise MergeError(
            f"--repo {repo} does not hold the shards' base commit {base}: pass a clone that "
            "has it (fetch it, or check out the commit the shards optimized)"
        )


def _start(ledger: Ledger | None, outputs: Sequence[ShardOutput], repo: Path | None) -> str | None:
    if ledger is None:
        return None
    inputs = [{"dir": str(o.directory), "shard": str(o.shard or "")} for o in outputs]
    return ledger.start_run(
        repo=str(repo or ""), base_commit=outputs[0].base_commit, shard="",
        settings={"merge": inputs},
    )  # fmt: skip


def _history(outputs: Sequence[ShardOutput]) -> int:
    patches = sum(1 for o in outputs for r in o.results if r.get("patch"))
    return max(DEFAULT_HISTORY_LIMIT, 2 * patches + 10)


def _copy_patches(outputs: Sequence[ShardOutput], store: PatchStore) -> list[OptimizationResult]:
    """Every input's patches into ``store`` (same CIDs), and all results in rank order."""
    results: list[OptimizationResult] = []
    for output in outputs:
        for data in output.results:
            result = result_from_json(data)
            if result.merged_from:
                if result.patch is not None:
                    output.store.read(result.patch.cid)  # damaged inputs are refused all the same
                continue  # a shard's own combination: conflicts are resolved anew over all parts
            if result.withheld is not None:
                result = replace(
                    result, destination=Destination.PATCH, destination_reason="", withheld=None
                )
            if result.patch is not None:
                entry = output.store.get(result.patch.cid)
                forward = output.store.read(entry.cid).decode("utf-8")
                reverse = output.store.read(entry.reverse_cid).decode("utf-8")
                store.put(forward, reverse, entry.meta)
            results.append(result)

    def rank(result: OptimizationResult) -> tuple[float, float, str, str]:
        target = result.target
        return (
            -(target.profile_seconds or 0.0),
            -target.static_score,
            target.file,
            target.qualname,
        )

    return sorted(results, key=rank)


def _merged_document(
    outputs: Sequence[ShardOutput], results: list[OptimizationResult], notes: list[str]
) -> dict[str, Any]:
    document = copy.deepcopy(outputs[0].data)
    runs = [o.data["run"] for o in outputs]
    run = document["run"]
    run["started_at"] = min(r["started_at"] for r in runs)
    run["finished_at"] = max((r["finished_at"] or r["started_at"]) for r in runs)
    started, finished = timestamp(run["started_at"]), timestamp(run["finished_at"])
    run["seconds"] = round((finished or 0.0) - (started or 0.0), 2)  # wall time, first to last
    run["shard"] = None
    run["shards"] = [_shard_entry(o) for o in outputs]
    baselines: list[dict[str, Any]] = [
        o.data["baseline"] for o in outputs if o.data.get("baseline")
    ]
    if baselines:
        document["baseline"] = dict(baselines[0])
        document["baseline"]["green"] = all(b["green"] for b in baselines)
    document["plan"] = _merged_plan([o.data["plan"] for o in outputs])
    document["results"] = [result_to_json(r) for r in results]
    document["totals"] = {
        "candidates": len(results),
        # functions improved: a combination of accepted patches is not counted again
        "accepted": sum(r.status is Status.ACCEPTED and not r.merged_from for r in results),
        "rejected": sum(r.status is Status.REJECTED for r in results),
        "error": sum(r.status is Status.ERROR for r in results),
    }
    tallies: dict[str, Any] = {}
    for output in outputs:
        tallies.update((output.data.get("methods") or {}).get("by_function") or {})
    document["methods"] = methods_section(tallies)
    document["differential_inputs"] = differential_section(results)
    document["github"] = None
    merged_notes = [n for o in outputs for n in o.data.get("notes") or []]
    shards = ", ".join(str(o.shard) for o in outputs if o.shard) or "one output"
    merged_notes.append(f"Merged {len(outputs)} output(s) (shards {shards}) of one commit.")
    document["notes"] = list(dict.fromkeys(merged_notes + notes))
    return document


def _shard_entry(output: ShardOutput) -> dict[str, Any]:
    run, totals = output.data["run"], output.data.get("totals") or {}
    return {
        "shard": str(output.shard) if output.shard else None,
        "dir": str(output.directory),
        "started_at": run.get("started_at"),
        "finished_at": run.get("finished_at"),
        "seconds": run.get("seconds"),
        "candidates": totals.get("candidates", len(output.results)),
        "accepted": totals.get("accepted", 0),
    }


def _merged_plan(plans: list[dict[str, Any]]) -> dict[str, Any]:
    first = plans[0]

    def union(key: str) -> list[Any]:
        items = [json.dumps(x, sort_keys=True) for p in plans for x in p.get(key) or []]
        return [json.loads(x) for x in dict.fromkeys(items)]

    def mapping(key: str) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for plan in plans:
            merged.update(plan.get(key) or {})
        return dict(sorted(merged.items()))

    return {
        "files": list(dict.fromkeys(f for p in plans for f in p.get("files") or [])),
        "functions": max(int(p.get("functions", 0)) for p in plans),
        "functions_examined": sum(int(p.get("functions_examined", 0)) for p in plans),
        "unmatched_globs": list(first.get("unmatched_globs") or []),
        "problems": union("problems"),
        "skipped_files": union("skipped_files"),
        "no_candidate": mapping("no_candidate"),
        "profile": first.get("profile", ""),
        "recorded_inputs": mapping("recorded_inputs"),
    }


def _write_json(path: Path, document: dict[str, Any]) -> None:
    atomic_write(path, json.dumps(document, indent=2) + "\n")
