"""Patches on IPFS: shared after the local store has them, fetched back by CID when missing.

When ``OPTIMIZER_IPFS_API`` names a node, every accepted patch and its reversal are added and
pinned there (same CIDs as the local store: CIDv1, raw leaves) and the run announces an index
object listing them (``[forward, reverse]`` pairs). A node that is down changes nothing: the
patches stay in the local store and the artifact, and the report says "kept locally only".
``apply CID`` on a CID the local store does not have fetches it from the node (its hash is
checked), refuses unsafe paths, and applies it all or nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agentic_action.model import OptimizationResult
from agentic_action.patches import PatchStore
from agentic_action.patches.checks import validate_diff
from agentic_action.patches.cid import parse_cid
from agentic_action.patches.errors import PatchDoesNotApplyError, PatchError
from agentic_action.patches.git import apply_to_worktree, check_applies, repo_toplevel
from agentic_action.publish.ipfs import IpfsClient, IpfsError

log = logging.getLogger("agentic_action")


def share_patches(
    address: str, results: Sequence[OptimizationResult], store: PatchStore, run_id: str
) -> dict[str, Any]:
    """Add and pin every stored patch of ``results`` (forward and reversal); announce the run."""
    client = IpfsClient.from_multiaddr(address)
    cids = [c for r in results if r.patch for c in (r.patch.cid, r.patch.reverse_cid)]
    remote: list[str] = []
    local_only: dict[str, str] = {}
    for cid in cids:
        published = client.publish(store.read(cid))
        if published.remote:
            remote.append(cid)
        else:
            local_only[cid] = published.detail
    info: dict[str, Any] = {"node": address, "pinned": remote, "kept_locally_only": local_only}
    if cids:
        announcement = client.announce(run_id, cids)
        info |= {
            "index_cid": announcement.index_cid,
            "index_pinned": announcement.remote,
            "pubsub": announcement.pubsub,
            "detail": announcement.detail,
        }
    log.info("ipfs: %d of %d patch file(s) pinned on %s", len(remote), len(cids), address)
    return info


def apply_from_ipfs(repo: Path, cid: str, address: str) -> tuple[str, ...]:
    """Fetch ``cid`` from the node and apply it to ``repo``'s work tree, all or nothing."""
    wanted = parse_cid(cid)
    try:
        data = IpfsClient.from_multiaddr(address).cat(wanted)
    except IpfsError as error:
        raise PatchError(
            f"patch {wanted} is not in the local store and IPFS failed: {error}"
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PatchError(f"IPFS object {wanted} is not a text patch; nothing was changed") from None
    _, paths = validate_diff(text, f"IPFS object {wanted}")
    top = repo_toplevel(repo)
    reason = check_applies(top, data)
    if reason is not None:
        raise PatchDoesNotApplyError(
            f"patch {wanted} (from IPFS) does not apply to {top}:\n{reason}\nnothing was changed"
        )
    failed = apply_to_worktree(top, data)
    if failed is not None:
        raise PatchDoesNotApplyError(f"git apply of {wanted} failed: {failed}")
    return tuple(sorted(paths))
