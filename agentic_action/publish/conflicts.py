"""Conflicts between accepted patches, found before anything is published, then merged or escalated.

Every accepted patch was made and proven alone against the base commit. Two of them conflict when:

- ``overlap``: they change the same lines of a file, or lines with no unchanged line between
  them (see ``hunks.py``): git's three-way merge cannot combine them;
- ``evidence``: one patch changes lines inside the function another result was accepted for.
  That result's evidence *relied on* those lines: the function's lines at the base commit (from
  its first decorator to its last line) are what its coverage check measured, what its affected
  tests, recorded-input behaviour check and benchmark ran, and what its diff replaced. Changed
  underneath, that evidence no longer describes the combination. Lines outside the function
  (callers, callees elsewhere, module code) are not counted: each part is proven
  behaviour-preserving alone, and a merged combination runs the full suite;
- ``same-file``: they change one file in separate places. Each still applies alone, but the
  file with both changes was never tested: it must be merged and proven again.

Patches that conflict (directly or through a chain) form a group. A group is *merged* when it
has no evidence conflict, git's three-way merge combines it without a conflicting region, and
the merged files pass the proof gate's merge checks: the merged patch is stored as a new patch
(``parent_cid`` = the first part, ``extra.merged_from`` = every part) and is what gets published;
its parts stay in the store and the report. Otherwise the group is *escalated*: the first part
(in rank order) may be published, the others are held back — reported for a human, never
dropped. The merged result names its parts (``merged_from``); each part of a merge and each
held-back patch says so (``withheld``), besides the words of its ``destination_reason``. With a
ledger, every group is recorded (``open``) and then updated (``merged`` or ``escalated``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from agentic_action.ledger import ConflictStatus
from agentic_action.model import (
    Destination,
    FunctionTarget,
    OptimizationResult,
    PatchRef,
    Status,
    Withheld,
)
from agentic_action.patches import PatchMeta, PatchStore, utc_now
from agentic_action.prove.gate import GateVerdict
from agentic_action.prove.revalidate import Diff, Revalidator
from agentic_action.publish.hunks import diff_changes
from agentic_action.publish.overlaps import (
    ConflictKind,
    Overlap,
    PatchEntry,
    find_overlaps,
    groups,
)
from agentic_action.publish.threeway import merge_patches
from agentic_action.sandbox.pytest_runner import PytestOptions

if TYPE_CHECKING:
    from agentic_action.baseline.suite import Baseline
    from agentic_action.ledger import Ledger

__all__ = [
    "ConflictKind",
    "ConflictReport",
    "Overlap",
    "Resolution",
    "record_resolutions",
    "resolve_run_conflicts",
]
log = logging.getLogger("agentic_action")


@dataclass(frozen=True)
class Resolution:
    """What became of one group of conflicting patches."""

    status: ConflictStatus  # MERGED or ESCALATED
    cids: tuple[str, ...]
    keys: tuple[str, ...]
    files: tuple[str, ...]
    overlaps: tuple[Overlap, ...]
    reason: str
    merged: OptimizationResult | None = None
    held_back: tuple[str, ...] = ()  # CIDs kept out of publishing
    ledger_id: int | None = None

    def describe(self) -> str:
        parts = ", ".join(f"`{key}`" for key in self.keys)
        kinds = ", ".join(sorted({o.kind.value for o in self.overlaps}))
        number = f" #{self.ledger_id}" if self.ledger_id is not None else ""
        head = f"Conflict{number} between {parts} ({kinds})"
        if self.merged is not None and self.merged.patch is not None:
            return f"{head}: merged into patch {self.merged.patch.cid}, {self.reason}."
        held = ", ".join(self.held_back)
        return f"{head}: escalated for a human — {self.reason}. Held back: {held}."


@dataclass(frozen=True)
class ConflictReport:
    """``results``: everything, for the report (merged patches placed before their parts);
    ``publishable``: what may be published (parts of a merge and held-back patches left out)."""

    results: list[OptimizationResult]
    publishable: list[OptimizationResult]
    resolutions: list[Resolution] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    publishable_at: tuple[int, ...] = ()  # index in ``results`` of each publishable result

    def with_published(self, published: Sequence[OptimizationResult]) -> list[OptimizationResult]:
        """``results`` with each publishable result replaced by what publishing made of it
        (``published`` is ``ChangeControl.publish(report.publishable, ...)``, same order)."""
        if len(published) != len(self.publishable_at):
            raise ValueError(
                f"with_published: got {len(published)} results for "
                f"{len(self.publishable_at)} publishable ones; pass publish()'s return value"
            )
        merged = list(self.results)
        for index, result in zip(self.publishable_at, published, strict=True):
            merged[index] = result
        return merged


def resolve_run_conflicts(
    results: Sequence[OptimizationResult],
    store: PatchStore,
    repo_root: Path | None,
    base_commit: str,
    *,
    options: PytestOptions,
    baseline: Baseline | None = None,
    ledger: Ledger | None = None,
    run_id: str | None = None,
    worktree_base: Path | None = None,
    workers: int = 1,
) -> ConflictReport:
    """Find and resolve conflicts among the accepted results' patches (all in ``store``).

    ``baseline``: the run's baseline on ``base_commit`` (its per-test coverage picks the
    affected tests); without it one is made if a merge needs proving. ``repo_root`` None: no
    repository to merge and prove in, so every conflict is escalated. Never raises for a
    conflict: every outcome is in the returned report (and the ledger, when given).
    ``workers``: how many groups are merged and proven at the same time (the run's agents).
    """
    entries, superseded = _entries(results, store)
    pairs = find_overlaps(entries)
    if not pairs:
        return _report(list(results), [], superseded)
    revalidator = None
    if repo_root is not None:
        revalidator = Revalidator(repo_root, base_commit, options, baseline, worktree_base)
    try:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            resolutions = list(
                pool.map(
                    lambda group: _resolve(
                        group, entries, store, revalidator, base_commit, ledger, run_id
                    ),
                    groups(len(entries), pairs),
                )
            )
    finally:
        if revalidator is not None:
            revalidator.close()
    return _report(list(results), resolutions, superseded)


def _entries(
    results: Sequence[OptimizationResult], store: PatchStore
) -> tuple[list[PatchEntry], set[str]]:
    """The accepted patches still to check, and the CIDs an earlier merge already combined."""
    entries: list[PatchEntry] = []
    seen: set[str] = set()
    for result in results:
        if result.status is not Status.ACCEPTED or result.patch is None:
            continue
        cid = result.patch.cid
        if cid in seen:
            continue  # the same change twice is one change
        seen.add(cid)
        diff = store.read(cid)
        meta = store.get(cid).meta
        entries.append(PatchEntry(result, cid, diff, tuple(diff_changes(diff.decode())), meta))
    merged_parts = {part for e in entries for part in e.meta.extra.get("merged_from", [])}
    return [e for e in entries if e.cid not in merged_parts], merged_parts


def _resolve(
    group: list[tuple[int, Overlap]],
    entries: list[PatchEntry],
    store: PatchStore,
    revalidator: Revalidator | None,
    base_commit: str,
    ledger: Ledger | None,
    run_id: str | None,
) -> Resolution:
    members = [entries[i] for i in sorted({i for i, _ in group})]
    overlaps = tuple(dict.fromkeys(o for _, o in group))
    files = tuple(sorted({f for o in overlaps for f in o.files}))
    cids, keys = tuple(m.cid for m in members), tuple(m.key for m in members)
    ledger_id = _record(ledger, cids, files, run_id, overlaps)
    status, reason, merged = _attempt(members, overlaps, store, revalidator, base_commit)
    held = () if merged is not None else cids[1:]
    resolution = Resolution(status, cids, keys, files, overlaps, reason, merged, held, ledger_id)
    log.info("%s", resolution.describe())
    if ledger is not None and ledger_id is not None:
        merged_cid = merged.patch.cid if merged is not None and merged.patch else None
        _safely(lambda: ledger.update_conflict(ledger_id, status, reason, merged_cid=merged_cid))
    return resolution


def _attempt(
    members: list[PatchEntry],
    overlaps: tuple[Overlap, ...],
    store: PatchStore,
    revalidator: Revalidator | None,
    base_commit: str,
) -> tuple[ConflictStatus, str, OptimizationResult | None]:
    escalated = ConflictStatus.ESCALATED
    evidence = [o for o in overlaps if o.kind is ConflictKind.EVIDENCE]
    if evidence:
        return escalated, f"{evidence[0].detail}; prove them one after the other", None
    if revalidator is None:
        return escalated, "no repository was given to merge and re-validate them in", None
    three_way = merge_patches(
        revalidator.repo_root, base_commit, [(m.cid, m.diff) for m in members]
    )
    if three_way.conflict is not None:
        return escalated, three_way.conflict, None
    label = "merge-" + "-".join(m.result.target.qualname for m in members)
    verdict, diff = revalidator.prove(three_way.files, [m.result.target for m in members], label)
    if diff is None:
        return escalated, f"the merged patch fails re-validation: {verdict.reason}", None
    merged = _store_merged(members, verdict, diff, store, base_commit)
    checks = ", ".join(f"{c.name} {c.outcome.value}" for c in verdict.checks)
    return ConflictStatus.MERGED, f"re-validated ({checks})", merged


def _store_merged(
    members: list[PatchEntry],
    verdict: GateVerdict,
    diff: Diff,
    store: PatchStore,
    base_commit: str,
) -> OptimizationResult:
    first = members[0].result.target
    # Named in source order, whatever order the parts were accepted in: the same combination
    # always has the same key (GitHub mode finds its PR by it).
    placed = sorted(members, key=lambda m: (m.result.target.file != first.file, m.key_position))
    names = [
        m.result.target.qualname if m.result.target.file == first.file else m.key for m in placed
    ]
    in_file = [m.result.target for m in members if m.result.target.file == first.file]
    profiled = [t.profile_seconds for t in in_file if t.profile_seconds is not None]
    target = FunctionTarget(
        file=first.file,
        qualname="+".join(names),
        start_line=min(t.start_line for t in in_file),
        end_line=max(t.end_line for t in in_file),
        static_score=sum(t.static_score for t in in_file),
        profile_seconds=sum(profiled) if profiled else None,
    )
    method = "+".join(dict.fromkeys(m.result.method for m in members))
    cids = [m.cid for m in members]
    edits = tuple(edit for m in members for edit in m.result.edits)
    meta = PatchMeta(
        file=target.file,
        qualname=target.qualname,
        method=method,
        rationale=f"Three-way merge of {len(members)} accepted patches, re-validated together.",
        base_commit=base_commit,
        created_at=utc_now(),
        parent_cid=cids[0],
        extra={
            "merged_from": cids,
            "functions": [m.key for m in members],
            "rules": sorted({e.rule for e in edits}),
        },
    )
    forward, reverse = diff
    stored = store.put(forward, reverse, meta)
    return OptimizationResult(
        target=target,
        method=method,
        status=Status.ACCEPTED,
        reason=f"combines {len(members)} accepted patches; the merge passed: "
        + ", ".join(c.name for c in verdict.checks),
        edits=edits,
        checks=verdict.checks,
        patch=PatchRef(stored.cid, stored.reverse_cid, f"{store.root.name}/{stored.path.name}"),
        destination=Destination.PATCH,
        destination_reason="merged from " + ", ".join(cids),
        merged_from=tuple(cids),
    )


def _record(
    ledger: Ledger | None,
    cids: tuple[str, ...],
    files: tuple[str, ...],
    run_id: str | None,
    overlaps: tuple[Overlap, ...],
) -> int | None:
    if ledger is None:
        return None
    detail = "; ".join(o.detail for o in overlaps)
    try:
        return ledger.record_conflict(cids, files, run_id=run_id, resolution=detail)
    except Exception:  # the ledger is history: a failing write is logged, the run goes on
        log.exception("ledger: could not record a conflict")
        return None


def _safely(action: Callable[[], object]) -> None:
    try:
        action()
    except Exception:  # the ledger is history: a failing write is logged, the run goes on
        log.exception("ledger: could not update a conflict")


def _report(
    results: list[OptimizationResult], resolutions: list[Resolution], superseded: set[str]
) -> ConflictReport:
    by_cid = {cid: r for r in resolutions for cid in r.cids}
    final: list[OptimizationResult] = []
    publishable_at: list[int] = []
    placed: set[int] = set()
    for result in results:
        cid = result.patch.cid if result.patch and result.status is Status.ACCEPTED else None
        resolution = by_cid.get(cid) if cid else None
        if (
            resolution is not None
            and resolution.merged is not None
            and id(resolution) not in placed
        ):
            placed.add(id(resolution))
            publishable_at.append(len(final))
            final.append(resolution.merged)
        if resolution is None:
            if cid is not None and cid not in superseded:
                publishable_at.append(len(final))
            final.append(result)
            continue
        annotated = _annotate(result, resolution)
        if resolution.merged is None and cid not in resolution.held_back:
            publishable_at.append(len(final))
        final.append(annotated)
    notes = [r.describe() for r in resolutions]
    publishable = [final[i] for i in publishable_at]
    return ConflictReport(final, publishable, resolutions, notes, tuple(publishable_at))


def _annotate(result: OptimizationResult, resolution: Resolution) -> OptimizationResult:
    assert result.patch is not None
    others = ", ".join(k for k in resolution.keys if k != result.target.key) or "another patch"
    withheld: Withheld | None = None
    if resolution.merged is not None and resolution.merged.patch is not None:
        why = (
            f"combined with {others} into patch {resolution.merged.patch.cid}; that one is "
            "published (this patch still applies alone)"
        )
        withheld = Withheld.MERGED
    elif result.patch.cid in resolution.held_back:
        why = f"held back for a human: conflicts with {others} ({resolution.reason})"
        withheld = Withheld.HELD_BACK
    else:
        why = f"conflicts with {others}, which were held back for a human ({resolution.reason})"
    return replace(result, destination_reason=why, withheld=withheld)


def record_resolutions(
    ledger: Ledger, resolutions: Sequence[Resolution], run_id: str | None = None
) -> list[int]:
    """Record conflicts resolved without a ledger at hand (e.g. inside ``run()``), with their
    final status: for the run history observer. Returns the conflicts' ids."""
    ids = []
    for resolution in resolutions:
        merged = (
            resolution.merged.patch.cid if resolution.merged and resolution.merged.patch else None
        )
        detail = "; ".join(o.detail for o in resolution.overlaps)
        conflict_id = ledger.record_conflict(
            resolution.cids, resolution.files, run_id=run_id, resolution=detail
        )
        ledger.update_conflict(conflict_id, resolution.status, resolution.reason, merged_cid=merged)
        ids.append(conflict_id)
    return ids
