"""The patch store: put/get/read by CID, idempotence, index, pruning, refusals."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from patchkit import make_project, meta_for, optimized_diffs, simple_diff

from agentic_action.patches import (
    CorruptPatchError,
    InvalidCidError,
    PatchMeta,
    PatchRejectedError,
    PatchStore,
    PatchStoreError,
    UnknownCidError,
)
from agentic_action.patches.cid import IPFS_CHUNK_SIZE, cid_of


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_project(tmp_path / "repo")


@pytest.fixture
def store(tmp_path: Path) -> PatchStore:
    return PatchStore(tmp_path / "patches")


def _variant(repo: Path, n: int) -> tuple[str, str]:
    return optimized_diffs(repo, f"def total(values):\n    return sum(values) + {n}\n")


def test_put_writes_forward_and_reverse_files_named_by_their_cids(
    repo: Path, store: PatchStore
) -> None:
    forward, reverse = optimized_diffs(repo)
    stored = store.put(forward, reverse, meta_for(repo))
    assert stored.cid == cid_of(forward.encode("utf-8"))
    assert stored.reverse_cid == cid_of(reverse.encode("utf-8"))
    assert stored.path == store.root / f"{stored.cid}.diff"
    assert stored.path.read_bytes() == forward.encode("utf-8")
    assert stored.reverse_path.read_bytes() == reverse.encode("utf-8")
    assert store.read(stored.cid) == forward.encode("utf-8")
    assert store.read(stored.reverse_cid) == reverse.encode("utf-8")
    assert store.get(stored.cid) == stored


def test_index_lists_cid_reverse_cid_meta_and_history(repo: Path, store: PatchStore) -> None:
    forward, reverse = optimized_diffs(repo)
    meta = meta_for(repo, speedup=2.5)
    stored = store.put(forward, reverse, meta)
    index = json.loads((store.root / "index.json").read_text(encoding="utf-8"))
    assert index["format"] == "agentic-optimizer/patch-index"
    assert index["version"] == 1
    [entry] = index["entries"]
    assert entry["cid"] == stored.cid
    assert entry["reverse_cid"] == stored.reverse_cid
    assert entry["meta"] == meta.to_json()
    assert entry["meta"]["extra"] == {"speedup": 2.5}
    assert [event["action"] for event in entry["history"]] == ["stored"]
    assert stored.status == "stored"
    assert PatchMeta.from_json(entry["meta"]) == meta


def test_storing_the_same_diff_twice_keeps_one_entry(repo: Path, store: PatchStore) -> None:
    forward, reverse = optimized_diffs(repo)
    first = store.put(forward, reverse, meta_for(repo))
    index_bytes = (store.root / "index.json").read_bytes()
    second = store.put(forward, reverse, meta_for(repo, speedup=9.9))
    assert second == first
    assert len(store.entries()) == 1
    assert (store.root / "index.json").read_bytes() == index_bytes
    assert sorted(p.name for p in store.root.glob("*.diff")) == sorted(
        [f"{first.cid}.diff", f"{first.reverse_cid}.diff"]
    )


def test_storing_again_repairs_a_damaged_patch_file(repo: Path, store: PatchStore) -> None:
    forward, reverse = optimized_diffs(repo)
    stored = store.put(forward, reverse, meta_for(repo))
    stored.path.write_text("tampered\n", encoding="utf-8")
    store.put(forward, reverse, meta_for(repo))
    assert store.read(stored.cid) == forward.encode("utf-8")


def test_get_of_unknown_cid_says_how_many_patches_the_store_holds_and_where(
    repo: Path, store: PatchStore
) -> None:
    store.put(*optimized_diffs(repo), meta_for(repo))
    missing = cid_of(b"never stored")
    with pytest.raises(UnknownCidError) as caught:
        store.get(missing)
    message = str(caught.value)
    assert missing in message and "holds 1 patch(es)" in message
    assert str(store.root) in message and "nothing was changed" in message


def test_get_of_a_store_folder_that_does_not_exist_says_so(tmp_path: Path) -> None:
    with pytest.raises(UnknownCidError, match="there is no patch store at"):
        PatchStore(tmp_path / "nowhere").get(cid_of(b"x"))
    assert not (tmp_path / "nowhere").exists()


def test_get_of_malformed_cid_is_invalid_cid_error(store: PatchStore) -> None:
    with pytest.raises(InvalidCidError, match="'bafy-nope'"):
        store.get("bafy-nope")


def test_read_detects_a_patch_file_edited_on_disk(repo: Path, store: PatchStore) -> None:
    stored = store.put(*optimized_diffs(repo), meta_for(repo))
    stored.path.write_bytes(stored.path.read_bytes().replace(b"sum", b"max"))
    with pytest.raises(CorruptPatchError) as caught:
        store.read(stored.cid)
    assert str(stored.path) in str(caught.value)
    assert "no longer matches its CID" in str(caught.value)


def test_read_detects_a_patch_file_deleted_from_disk(repo: Path, store: PatchStore) -> None:
    stored = store.put(*optimized_diffs(repo), meta_for(repo))
    stored.reverse_path.unlink()
    with pytest.raises(CorruptPatchError, match="is missing although"):
        store.read(stored.reverse_cid)


def test_find_by_reverse_and_resolve_name_the_same_entry(repo: Path, store: PatchStore) -> None:
    stored = store.put(*optimized_diffs(repo), meta_for(repo))
    assert store.find_by_reverse(stored.reverse_cid) == stored
    assert store.find_by_reverse(stored.cid) is None
    assert store.resolve(stored.cid) == (stored, False)
    assert store.resolve(stored.reverse_cid) == (stored, True)


def test_history_limit_prunes_the_oldest_entries_and_their_files(
    repo: Path, tmp_path: Path
) -> None:
    store = PatchStore(tmp_path / "patches", history_limit=2)
    kept = [store.put(*_variant(repo, n), meta_for(repo)) for n in range(4)]
    entries = store.entries()
    assert [e.cid for e in entries] == [kept[2].cid, kept[3].cid]
    on_disk = {p.name for p in store.root.glob("*.diff")}
    expected = {f"{c}.diff" for e in kept[2:] for c in (e.cid, e.reverse_cid)}
    assert on_disk == expected
    with pytest.raises(UnknownCidError):
        store.get(kept[0].cid)


def test_pruning_keeps_a_file_that_a_newer_entry_still_names(repo: Path, tmp_path: Path) -> None:
    store = PatchStore(tmp_path / "patches", history_limit=1)
    forward, reverse = optimized_diffs(repo)
    first = store.put(forward, reverse, meta_for(repo))
    # The revert of the first patch, stored as a patch of its own: same two files, swapped.
    second = store.put(reverse, forward, meta_for(repo))
    assert [e.cid for e in store.entries()] == [first.reverse_cid]
    assert store.read(second.cid) == reverse.encode("utf-8")
    assert store.read(second.reverse_cid) == forward.encode("utf-8")


def test_history_limit_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        PatchStore(tmp_path, history_limit=0)


DANGEROUS = [
    ("/etc/passwd", "absolute"),
    ("../outside.py", "'..'"),
    ("pkg/../../outside.py", "'..'"),
    (".git/config", ".git folder"),
    ("sub/.GIT/hooks/pre-commit", ".git folder"),
]


@pytest.mark.parametrize(("path", "reason"), DANGEROUS)
def test_diffs_touching_dangerous_paths_are_refused(
    repo: Path, store: PatchStore, path: str, reason: str
) -> None:
    with pytest.raises(PatchRejectedError) as caught:
        store.put(simple_diff(path), simple_diff(path, "b", "a"), meta_for(repo))
    assert path in str(caught.value) and reason in str(caught.value)
    assert not store.root.exists()


def test_traditional_diff_with_absolute_header_paths_is_refused(
    repo: Path, store: PatchStore
) -> None:
    diff = "--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-a\n+b\n"
    with pytest.raises(PatchRejectedError, match="'/etc/passwd' is refused: it is absolute"):
        store.put(diff, diff.replace("-a\n+b", "-b\n+a"), meta_for(repo))


def test_diffs_creating_symlinks_are_refused(repo: Path, store: PatchStore) -> None:
    diff = (
        "diff --git a/pkg/mod.py b/pkg/mod.py\nnew file mode 120000\n"
        "--- /dev/null\n+++ b/pkg/mod.py\n@@ -0,0 +1 @@\n+/etc/passwd\n"
        "\\ No newline at end of file\n"
    )
    reverse = diff.replace("new file", "deleted file").replace("--- /dev/null", "--- a/pkg/mod.py")
    reverse = reverse.replace("+++ b/pkg/mod.py", "+++ /dev/null").replace("-0,0 +1", "-1 +0,0")
    reverse = reverse.replace("+/etc/passwd", "-/etc/passwd")
    with pytest.raises(PatchRejectedError, match="symbolic link"):
        store.put(diff, reverse, meta_for(repo))


@pytest.mark.parametrize(
    ("diff", "reason"),
    [
        ("", "empty"),
        ("this is not a diff\n", "no file changes"),
        ("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n", "cannot be parsed"),
    ],
)
def test_unparseable_or_empty_diffs_are_refused(
    repo: Path, store: PatchStore, diff: str, reason: str
) -> None:
    with pytest.raises(PatchRejectedError, match=reason):
        store.put(diff, simple_diff("pkg/mod.py"), meta_for(repo))
    assert not store.root.exists()


def test_diff_git_cannot_apply_is_refused(repo: Path, store: PatchStore) -> None:
    # unidiff reads it, git does not: the last line lacks its newline.
    diff = simple_diff("pkg/mod.py").rstrip("\n")
    with pytest.raises(PatchRejectedError, match=r"git cannot parse the diff: .*corrupt patch"):
        store.put(diff, simple_diff("pkg/mod.py"), meta_for(repo))


def test_patches_over_one_ipfs_chunk_are_refused(repo: Path, store: PatchStore) -> None:
    body = "".join(f"+line {i}\n" for i in range(IPFS_CHUNK_SIZE // 8))
    diff = f"diff --git a/pkg/big.py b/pkg/big.py\n--- a/pkg/big.py\n+++ b/pkg/big.py\n{body}"
    with pytest.raises(PatchRejectedError, match="over the 262,144-byte limit"):
        store.put(diff, diff, meta_for(repo))


def test_reverse_diff_of_another_file_is_refused(repo: Path, store: PatchStore) -> None:
    forward, _ = optimized_diffs(repo)
    with pytest.raises(PatchRejectedError, match="does not undo the diff"):
        store.put(forward, simple_diff("pkg/util.py"), meta_for(repo))


def test_meta_file_must_be_a_file_the_diff_changes(repo: Path, store: PatchStore) -> None:
    with pytest.raises(PatchRejectedError, match=re.escape("'pkg/util.py' is not among the files")):
        store.put(*optimized_diffs(repo), meta_for(repo, file="pkg/util.py"))


def test_meta_rejects_non_utc_time_non_json_extra_and_bad_parent_cid(repo: Path) -> None:
    good = meta_for(repo).to_json()
    with pytest.raises(PatchRejectedError, match="not an ISO-8601 UTC time"):
        PatchMeta.from_json({**good, "created_at": "2026-11-21T09:30:00+02:00"})
    with pytest.raises(PatchRejectedError, match="not plain JSON"):
        PatchMeta.from_json({**good, "extra": {"speedup": float("nan")}})
    with pytest.raises(InvalidCidError):
        PatchMeta.from_json({**good, "parent_cid": "QmNotRaw"})
    with pytest.raises(PatchRejectedError, match=re.escape("'/abs.py' is refused")):
        PatchMeta.from_json({**good, "file": "/abs.py"})


def test_a_damaged_index_gives_an_error_that_says_what_to_do(repo: Path, store: PatchStore) -> None:
    store.put(*optimized_diffs(repo), meta_for(repo))
    (store.root / "index.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(PatchStoreError, match="move it aside"):
        store.entries()


def test_concurrent_puts_lose_no_entry(repo: Path, store: PatchStore) -> None:
    pairs = [_variant(repo, n) for n in range(8)]
    errors: list[BaseException] = []

    def put(pair: tuple[str, str]) -> None:
        try:
            PatchStore(store.root).put(*pair, meta_for(repo))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=put, args=(pair,)) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {e.cid for e in store.entries()} == {cid_of(f.encode()) for f, _ in pairs}
