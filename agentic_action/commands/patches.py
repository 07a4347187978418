"""``agentic-optimizer apply|rollback|patches``: the command-line doors to the patch store.

Each prints one human line to stdout on success, or the error to stderr, and returns the exit
code: 0 done, 2 bad input (malformed or unknown CID, not a git repository), 1 the patch could
not be applied (it no longer fits the files, or the store is damaged).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TextIO

from agentic_action.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK
from agentic_action.model import DEFAULT_OUT, PATCHES_DIR
from agentic_action.patches.apply import ApplyOutcome, apply_patch
from agentic_action.patches.errors import (
    InvalidCidError,
    NotAGitRepositoryError,
    PatchError,
    UnknownCidError,
)
from agentic_action.patches.store import PatchStore

_BAD_INPUT = (InvalidCidError, UnknownCidError, NotAGitRepositoryError)


DEFAULT_PATCHES = DEFAULT_OUT / PATCHES_DIR


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for name, verb, handler in (
        ("apply", "apply", _apply),
        ("rollback", "revert", _rollback),
    ):
        sub = commands.add_parser(name, help=f"{verb} a stored patch on a repository")
        sub.add_argument("cid", help="the patch CID (bafkrei...)")
        sub.add_argument("--repo", type=Path, default=Path("."), help="repository (default: .)")
        sub.add_argument(
            "--patches",
            type=Path,
            default=DEFAULT_PATCHES,
            help=f"patch store directory (default: {DEFAULT_PATCHES})",
        )
        sub.set_defaults(handler=handler)
    listing = commands.add_parser("patches", help="list the patches in a store")
    listing.add_argument("--patches", type=Path, default=DEFAULT_PATCHES)
    listing.set_defaults(handler=lambda args: cmd_list(args.patches))


def _apply(args: argparse.Namespace) -> int:
    # a CID the local store lacks is fetched from the IPFS node of OPTIMIZER_IPFS_API, if set
    node = os.environ.get("OPTIMIZER_IPFS_API", "")
    return cmd_apply(args.cid, args.repo, args.patches, ipfs_api=node)


def _rollback(args: argparse.Namespace) -> int:
    return cmd_rollback(args.cid, args.repo, args.patches)


def cmd_apply(cid: str, repo: Path, store_dir: Path, *, ipfs_api: str = "") -> int:
    """``agentic-optimizer apply CID --repo PATH --patches DIR``; ``ipfs_api``: the IPFS node
    a CID the store lacks is fetched from ("" = none)."""
    return _run("apply", cid, repo, store_dir, reverse=False, ipfs_api=ipfs_api)


def cmd_rollback(cid: str, repo: Path, store_dir: Path) -> int:
    """``agentic-optimizer rollback CID --repo PATH --patches DIR``."""
    return _run("rollback", cid, repo, store_dir, reverse=True)


def cmd_list(store_dir: Path, out: TextIO | None = None) -> int:
    """One line per stored patch, oldest first: CID, status, file::qualname, method, time."""
    stream = out or sys.stdout
    try:
        entries = PatchStore(store_dir).entries()
    except PatchError as exc:
        return _fail("patches", exc)
    for entry in entries:
        meta = entry.meta
        print(
            f"{entry.cid}  {entry.status:<11}  {meta.file}::{meta.qualname}  "
            f"{meta.method}  {meta.created_at}",
            file=stream,
        )
    if not entries:
        print(f"no patches in {Path(store_dir).absolute()}", file=stream)
    return EXIT_OK


def _run(
    command: str, cid: str, repo: Path, store_dir: Path, *, reverse: bool, ipfs_api: str = ""
) -> int:
    try:
        outcome = apply_patch(Path(repo), PatchStore(Path(store_dir)), cid, reverse=reverse)
    except UnknownCidError as exc:
        if reverse or not ipfs_api:
            return _fail(command, exc)
        return _apply_from_ipfs(cid, Path(repo), ipfs_api)
    except PatchError as exc:
        return _fail(command, exc)
    print(_summary(outcome))
    return EXIT_OK


def _apply_from_ipfs(cid: str, repo: Path, node: str) -> int:
    """A CID the local store lacks, fetched from the IPFS node (hash checked) and applied."""
    from agentic_action.publish.ipfs_share import apply_from_ipfs

    try:
        files = apply_from_ipfs(repo, cid, node)
    except (PatchError, ValueError) as exc:
        print(f"agentic-optimizer apply: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"applied patch {cid} (fetched from IPFS {node}) to {repo}: {', '.join(files)}")
    return EXIT_OK


def _summary(outcome: ApplyOutcome) -> str:
    count = len(outcome.files)
    files = f"{count} file{'s' if count != 1 else ''} changed ({', '.join(outcome.files)})"
    if outcome.direction == "rollback":
        return f"rolled back patch {outcome.cid} in {outcome.repo}: {files}"
    return f"applied patch {outcome.cid} to {outcome.repo}: {files}"


def _fail(command: str, exc: PatchError) -> int:
    print(f"agentic-optimizer {command}: error: {exc}", file=sys.stderr)
    return EXIT_BAD_INPUT if isinstance(exc, _BAD_INPUT) else EXIT_FAILED
