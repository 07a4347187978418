"""The IPFS tests share one real js-ipfs node per session (see tests/_support/ipfs_node.py)."""

from __future__ import annotations

from ipfs_node import ipfs_node

__all__ = ["ipfs_node"]
