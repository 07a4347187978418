"""Conflicts between accepted patches: found, merged by git and re-validated, or escalated."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from coordinate_repos import fast_repository_pytest, head, stored  # noqa: F401
from gitrepos import git, make_repo

from agentic_action.ledger import ConflictStatus, Ledger
from agentic_action.model import CheckOutcome, OptimizationResult, Withheld
from agentic_action.patches import PatchStore, apply_patch
from agentic_action.publish.conflicts import ConflictKind, resolve_run_conflicts
from agentic_action.sandbox.pytest_runner import PytestOptions

SHOP = """def total(prices):
    result = 0
    for p in prices:
        result += p
    return result


def count_big(prices):
    n = 0
    for p in prices:
        if p > 10:
            n += 1
    return n


def first_flag():
    return 1


def second_flag():
    return 1
"""
TESTS = """from shop import count_big, first_flag, second_flag, total


def test_total():
    assert total([1, 2]) == 3


def test_count_big():
    assert count_big([5, 20, 30]) == 2


def test_flags_are_small():
    assert first_flag() in (1, 2) and second_flag() in (1, 2)


def test_flags_are_not_both_two():
    assert not (first_flag() == 2 and second_flag() == 2)
"""
TOTAL, COUNT_BIG = (1, 5), (8, 13)
SUM_TOTAL = SHOP.replace(
    "    result = 0\n    for p in prices:\n        result += p\n    return result\n",
    "    return sum(prices)\n",
)
OTHER_TOTAL = SHOP.replace(
    "    result = 0\n    for p in prices:\n        result += p\n",
    "    result = sum(prices)\n",
)
FAST_COUNT = SHOP.replace(
    "    for p in prices:\n        if p > 10:\n            n += 1\n",
    "    n += sum(1 for p in prices if p > 10)\n",
)
FLAG_ONE = SHOP.replace("def first_flag():\n    return 1", "def first_flag():\n    return 2")
FLAG_TWO = SHOP.replace("def second_flag():\n    return 1", "def second_flag():\n    return 2")
SIGNATURE = SHOP.replace("def count_big(prices):", "def count_big(prices):  # noqa: D103")


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Path, PatchStore]:
    repo = make_repo(tmp_path / "shop", {"shop.py": SHOP, "test_shop.py": TESTS})
    return repo, PatchStore(tmp_path / "out" / "patches")


def resolve(repo: Path | None, store: PatchStore, results: list[OptimizationResult], **kw):  # type: ignore[no-untyped-def]
    base = head(repo) if repo else kw.pop("base")
    options = PytestOptions(sys.executable, 120)
    wt = store.root.parent / "wt"
    return resolve_run_conflicts(
        results, store, repo, base, options=options, worktree_base=wt, **kw
    )


def test_two_functions_of_one_file_are_merged_revalidated_and_published_as_one(
    shop: tuple[Path, PatchStore], tmp_path: Path
) -> None:
    repo, store = shop
    total = stored(repo, store, "shop.py", "total", TOTAL, SUM_TOTAL)
    count = stored(repo, store, "shop.py", "count_big", COUNT_BIG, FAST_COUNT)
    report = resolve(repo, store, [total, count])
    [resolution] = report.resolutions
    assert resolution.status is ConflictStatus.MERGED
    assert [o.kind for o in resolution.overlaps] == [ConflictKind.SAME_FILE]
    merged = resolution.merged
    assert merged is not None and merged.patch is not None
    assert [c.name for c in merged.checks] == ["syntax", "import", "affected-tests", "full-suite"]
    assert all(c.outcome is CheckOutcome.PASSED for c in merged.checks)
    assert merged.target.key == "shop.py::total+count_big"
    meta = store.get(merged.patch.cid).meta
    assert meta.parent_cid == total.patch.cid  # type: ignore[union-attr]
    assert meta.extra["merged_from"] == [total.patch.cid, count.patch.cid]  # type: ignore[union-attr]
    assert report.publishable == [merged]
    assert report.results[0] is merged and len(report.results) == 3  # the parts are kept
    assert merged.merged_from == (total.patch.cid, count.patch.cid)  # type: ignore[union-attr]
    assert [r.withheld for r in report.results] == [None, Withheld.MERGED, Withheld.MERGED]
    assert "combined with shop.py::count_big" in report.results[1].destination_reason
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    apply_patch(clone, store, merged.patch.cid)
    both = SUM_TOTAL.replace(
        "    for p in prices:\n        if p > 10:\n            n += 1\n",
        "    n += sum(1 for p in prices if p > 10)\n",
    )
    assert (clone / "shop.py").read_text() == both


def test_overlapping_patches_are_escalated_with_gits_reason_and_none_is_dropped(
    shop: tuple[Path, PatchStore],
) -> None:
    repo, store = shop
    first = stored(repo, store, "shop.py", "total", TOTAL, SUM_TOTAL)
    second = stored(repo, store, "shop.py", "total", TOTAL, OTHER_TOTAL)
    report = resolve(repo, store, [first, second])
    [resolution] = report.resolutions
    assert resolution.status is ConflictStatus.ESCALATED
    assert [o.kind for o in resolution.overlaps] == [ConflictKind.OVERLAP]
    assert "conflicting region" in resolution.reason
    assert "lines 2-4" in resolution.overlaps[0].detail
    assert report.publishable == [report.results[0]]
    assert report.results[1].patch == second.patch
    assert report.results[1].destination_reason.startswith("held back for a human")
    assert [r.withheld for r in report.results] == [None, Withheld.HELD_BACK]
    assert len(store.entries()) == 2  # nothing merged, nothing lost
    assert any("escalated for a human" in note for note in report.notes)


def test_a_combination_that_fails_the_tests_is_escalated_not_merged(
    shop: tuple[Path, PatchStore],
) -> None:
    repo, store = shop
    one = stored(repo, store, "shop.py", "first_flag", (16, 17), FLAG_ONE)
    two = stored(repo, store, "shop.py", "second_flag", (20, 21), FLAG_TWO)
    report = resolve(repo, store, [one, two])
    [resolution] = report.resolutions
    assert resolution.status is ConflictStatus.ESCALATED
    assert "fails re-validation" in resolution.reason
    assert "test_flags_are_not_both_two" in resolution.reason
    assert resolution.held_back == (two.patch.cid,)  # type: ignore[union-attr]
    assert len(store.entries()) == 2


def test_a_patch_inside_another_functions_lines_is_an_evidence_conflict_and_escalated(
    shop: tuple[Path, PatchStore],
) -> None:
    repo, store = shop
    total = stored(repo, store, "shop.py", "total", TOTAL, SIGNATURE)  # edits count_big's def
    count = stored(repo, store, "shop.py", "count_big", COUNT_BIG, FAST_COUNT)
    report = resolve(repo, store, [total, count])
    [resolution] = report.resolutions
    assert [o.kind for o in resolution.overlaps] == [ConflictKind.EVIDENCE]
    assert resolution.status is ConflictStatus.ESCALATED
    assert "inside shop.py::count_big (lines 8-13)" in resolution.reason


def test_patches_of_different_files_do_not_conflict(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.py": "A = 1\n", "b.py": "B = 1\n"})
    store = PatchStore(tmp_path / "patches")
    one = stored(repo, store, "a.py", "A", (1, 1), "A = 2\n")
    two = stored(repo, store, "b.py", "B", (1, 1), "B = 2\n")
    report = resolve(repo, store, [one, two])
    assert report.resolutions == [] and report.publishable == [one, two]


def test_every_conflict_is_recorded_in_the_ledger_then_updated(
    shop: tuple[Path, PatchStore], tmp_path: Path
) -> None:
    repo, store = shop
    total = stored(repo, store, "shop.py", "total", TOTAL, SUM_TOTAL)
    count = stored(repo, store, "shop.py", "count_big", COUNT_BIG, FAST_COUNT)
    other = stored(repo, store, "shop.py", "total", TOTAL, OTHER_TOTAL)
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        run_id = ledger.start_run(repo=str(repo))
        merged = resolve(repo, store, [total, count], ledger=ledger, run_id=run_id)
        resolve(repo, store, [total, other], ledger=ledger, run_id=run_id)
        records = ledger.conflicts(run_id=run_id)
        kinds = [e.kind for e in ledger.events(kind="conflict.")]
    assert [r.status for r in records] == [ConflictStatus.MERGED, ConflictStatus.ESCALATED]
    assert records[0].merged_cid == merged.resolutions[0].merged.patch.cid
    assert records[0].files == ("shop.py",)
    assert "conflicting region" in records[1].resolution
    assert kinds == ["conflict.recorded", "conflict.updated"] * 2


def test_resolving_its_own_output_again_finds_nothing_new(shop: tuple[Path, PatchStore]) -> None:
    repo, store = shop
    total = stored(repo, store, "shop.py", "total", TOTAL, SUM_TOTAL)
    count = stored(repo, store, "shop.py", "count_big", COUNT_BIG, FAST_COUNT)
    first = resolve(repo, store, [total, count])
    again = resolve(repo, store, first.results)
    assert again.resolutions == []
    assert again.publishable == first.publishable


def test_without_a_repository_a_conflict_is_escalated_not_guessed(
    shop: tuple[Path, PatchStore],
) -> None:
    repo, store = shop
    total = stored(repo, store, "shop.py", "total", TOTAL, SUM_TOTAL)
    count = stored(repo, store, "shop.py", "count_big", COUNT_BIG, FAST_COUNT)
    report = resolve(None, store, [total, count], base=head(repo))
    [resolution] = report.resolutions
    assert resolution.status is ConflictStatus.ESCALATED
    assert "no repository" in resolution.reason
    assert json.dumps([r.target.key for r in report.publishable]) == '["shop.py::total"]'


def test_groups_of_different_files_are_merged_at_the_same_time(tmp_path: Path) -> None:
    files = {"shop.py": SHOP, "more.py": SHOP, "test_shop.py": TESTS}
    repo = make_repo(tmp_path / "shop", files)
    store = PatchStore(tmp_path / "out" / "patches")
    parts = [
        stored(repo, store, file, name, lines, new)
        for file in ("shop.py", "more.py")
        for name, lines, new in (("total", TOTAL, SUM_TOTAL), ("count_big", COUNT_BIG, FAST_COUNT))
    ]
    report = resolve(repo, store, parts, workers=2)
    assert [r.status for r in report.resolutions] == [ConflictStatus.MERGED] * 2
    assert [r.files for r in report.resolutions] == [("shop.py",), ("more.py",)]
    assert [m.target.key for m in report.publishable] == [
        "shop.py::total+count_big", "more.py::total+count_big",
    ]  # fmt: skip
