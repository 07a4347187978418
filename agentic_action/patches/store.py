"""The local, content-addressed patch store.

Layout of ``root``::

    <cid>.diff           a forward diff, named by the CIDv1 of its exact bytes
    <reverse_cid>.diff   the diff that undoes it
    index.json           {"format", "version", "entries": [{cid, reverse_cid, meta, history}]}
    .lock                taken (flock) while index.json is read-modified-written

Every file is written to a temporary name and renamed into place, so a reader sees the old
file or the new one, never half of one. Entries are kept in the order they were stored;
beyond ``history_limit`` the oldest go, with their files (unless another entry still names
the same file). Patch files are UTF-8 text exactly as given to ``put``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agentic_action.fileutil import atomic_write, file_lock
from agentic_action.patches.checks import validate_pair
from agentic_action.patches.cid import cid_of, parse_cid
from agentic_action.patches.errors import (
    NOTHING_CHANGED,
    CorruptPatchError,
    PatchError,
    PatchRejectedError,
    PatchStoreError,
    UnknownCidError,
)
from agentic_action.patches.meta import STORED, PatchEvent, PatchMeta, StoredPatch, utc_now

INDEX_NAME = "index.json"
LOCK_NAME = ".lock"
INDEX_FORMAT = "agentic-optimizer/patch-index"
INDEX_VERSION = 1
DEFAULT_HISTORY_LIMIT = 100  # patches kept in a store; the oldest beyond it are deleted

Entry = dict[str, Any]


class PatchStore:
    """Patches and their reversals on disk, named by CID, with an index of what became of them."""

    def __init__(self, root: Path, *, history_limit: int = DEFAULT_HISTORY_LIMIT) -> None:
        if isinstance(history_limit, bool) or not isinstance(history_limit, int):
            raise TypeError(f"history_limit must be an int, got {history_limit!r}")
        if history_limit < 1:
            raise ValueError(f"history_limit must be at least 1, got {history_limit}")
        self.root = Path(root).absolute()
        self.history_limit = history_limit

    @property
    def index_path(self) -> Path:
        return self.root / INDEX_NAME

    def put(self, diff: str, reverse_diff: str, meta: PatchMeta) -> StoredPatch:
        """Store a diff and its reversal; storing the same diff again returns the first entry."""
        if not isinstance(meta, PatchMeta):
            raise PatchRejectedError(f"meta must be a PatchMeta, got {type(meta).__name__}")
        forward, reverse, paths = validate_pair(diff, reverse_diff)
        if meta.file not in paths:
            raise PatchRejectedError(
                f"PatchMeta.file {meta.file!r} is not among the files the diff changes "
                f"{sorted(paths)}: {NOTHING_CHANGED}"
            )
        cid, reverse_cid = cid_of(forward), cid_of(reverse)
        try:
            with self._locked():
                return self._put_locked(cid, forward, reverse_cid, reverse, meta)
        except OSError as exc:
            raise PatchStoreError(f"cannot write the patch store at {self.root}: {exc}") from exc

    def _put_locked(
        self, cid: str, forward: bytes, reverse_cid: str, reverse: bytes, meta: PatchMeta
    ) -> StoredPatch:
        entries = self._load()
        existing = next((e for e in entries if e["cid"] == cid), None)
        if existing is not None and existing["reverse_cid"] != reverse_cid:
            raise PatchRejectedError(
                f"patch {cid} is already stored with reversal {existing['reverse_cid']}, "
                f"not {reverse_cid}: {NOTHING_CHANGED}"
            )
        self._ensure_file(cid, forward)
        self._ensure_file(reverse_cid, reverse)
        if existing is not None:
            return self._stored(existing)
        entry: Entry = {
            "cid": cid,
            "reverse_cid": reverse_cid,
            "meta": meta.to_json(),
            "history": [PatchEvent(action=STORED, at=utc_now()).to_json()],
        }
        entries.append(entry)
        pruned = entries[: -self.history_limit]
        kept = entries[-self.history_limit :]
        self._save(kept)
        self._delete_unreferenced(pruned, kept)
        return self._stored(entry)

    def get(self, cid: str) -> StoredPatch:
        """The entry whose forward diff has ``cid``; UnknownCidError if there is none."""
        wanted = parse_cid(cid)
        for entry in self._load():
            if entry["cid"] == wanted:
                return self._stored(entry)
        raise self._unknown(wanted)

    def find_by_reverse(self, cid: str) -> StoredPatch | None:
        """The entry whose reversal has ``cid``, if any."""
        wanted = parse_cid(cid)
        found = next((e for e in self._load() if e["reverse_cid"] == wanted), None)
        return None if found is None else self._stored(found)

    def resolve(self, cid: str) -> tuple[StoredPatch, bool]:
        """(entry, is_reverse): the entry ``cid`` names, as its forward diff or its reversal."""
        wanted = parse_cid(cid)
        entries = self._load()
        for key, is_reverse in (("cid", False), ("reverse_cid", True)):
            for entry in entries:
                if entry[key] == wanted:
                    return self._stored(entry), is_reverse
        raise self._unknown(wanted)

    def read(self, cid: str) -> bytes:
        """The bytes stored under ``cid``, verified to still hash to it (CorruptPatchError)."""
        wanted = parse_cid(cid)
        path = self.root / f"{wanted}.diff"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            if any(wanted in (e["cid"], e["reverse_cid"]) for e in self._load()):
                raise CorruptPatchError(
                    f"patch file {path} is missing although {self.index_path} lists it; "
                    f"restore it from a backup or re-create the patch: {NOTHING_CHANGED}"
                ) from None
            raise self._unknown(wanted) from None
        actual = cid_of(data)
        if actual != wanted:
            raise CorruptPatchError(
                f"patch file {path} no longer matches its CID (its bytes hash to {actual}): it "
                f"was edited or damaged; restore it or re-create the patch: {NOTHING_CHANGED}"
            )
        return data

    def entries(self) -> list[StoredPatch]:
        """Every stored patch, oldest first."""
        return [self._stored(entry) for entry in self._load()]

    def record_event(self, cid: str, event: PatchEvent) -> StoredPatch:
        """Append ``event`` to the history of the entry whose forward CID is ``cid``."""
        wanted = parse_cid(cid)
        with self._locked():
            entries = self._load()
            entry = next((e for e in entries if e["cid"] == wanted), None)
            if entry is None:
                raise self._unknown(wanted)
            entry["history"].append(event.to_json())
            self._save(entries)
        return self._stored(entry)

    # -- on disk -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with file_lock(self.root / LOCK_NAME):
            yield

    def _load(self) -> list[Entry]:
        try:
            text = self.index_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise self._bad_index(str(exc)) from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise self._bad_index(f"not JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
            raise self._bad_index(f'no "format": {INDEX_FORMAT!r} field')
        if data.get("version") != INDEX_VERSION:
            raise self._bad_index(f"version {data.get('version')!r}, expected {INDEX_VERSION}")
        entries = data.get("entries")
        if not isinstance(entries, list):
            raise self._bad_index('"entries" is not a list')
        for entry in entries:
            self._stored(entry)  # validates the shape
        return entries

    def _save(self, entries: list[Entry]) -> None:
        document = {"format": INDEX_FORMAT, "version": INDEX_VERSION, "entries": entries}
        atomic_write(self.index_path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")

    def _ensure_file(self, cid: str, data: bytes) -> None:
        path = self.root / f"{cid}.diff"
        with contextlib.suppress(FileNotFoundError):
            if cid_of(path.read_bytes()) == cid:
                return  # already there, intact
        atomic_write(path, data)

    def _delete_unreferenced(self, pruned: list[Entry], kept: list[Entry]) -> None:
        still_named = {e[key] for e in kept for key in ("cid", "reverse_cid")}
        for entry in pruned:
            for key in ("cid", "reverse_cid"):
                if entry[key] not in still_named:
                    (self.root / f"{entry[key]}.diff").unlink(missing_ok=True)

    def _stored(self, entry: Entry) -> StoredPatch:
        try:
            return StoredPatch(
                cid=parse_cid(entry["cid"]),
                reverse_cid=parse_cid(entry["reverse_cid"]),
                meta=PatchMeta.from_json(entry["meta"]),
                path=self.root / f"{entry['cid']}.diff",
                history=tuple(PatchEvent.from_json(e) for e in entry["history"]),
            )
        except (KeyError, TypeError, AttributeError, PatchError) as exc:
            raise self._bad_index(f"malformed entry {str(entry)[:120]}: {exc!r}") from None

    def _bad_index(self, reason: str) -> PatchStoreError:
        return PatchStoreError(
            f"{self.index_path} is not a readable patch index ({reason}); move it aside to "
            f"start a new one (the .diff files beside it are intact): {NOTHING_CHANGED}"
        )

    def _unknown(self, cid: str) -> UnknownCidError:
        if not self.root.is_dir():
            return UnknownCidError(
                f"no patch with CID {cid}: there is no patch store at {self.root} (the folder "
                f"does not exist); pass the folder the optimizer wrote: {NOTHING_CHANGED}"
            )
        if not self.index_path.is_file():
            return UnknownCidError(
                f"no patch with CID {cid}: the store at {self.root} has no index "
                f"({self.index_path.name} is missing), so it lists no patches; pass the folder "
                f"the optimizer wrote: {NOTHING_CHANGED}"
            )
        count = len(self._load())
        return UnknownCidError(
            f"no patch with CID {cid} in the store at {self.root}: it holds {count} patch(es) "
            f"({2 * count} CIDs counting reversals), listed in {self.index_path}: "
            f"{NOTHING_CHANGED}"
        )
