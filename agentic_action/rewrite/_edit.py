"""Replacing several nodes of a function in one pass (libcst trees are immutable)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar, cast

import libcst as cst

_Node = TypeVar("_Node", bound=cst.CSTNode)

Replacer = Callable[[cst.CSTNode], cst.CSTNode]


class _Swap(cst.CSTTransformer):
    def __init__(self, replacements: Mapping[cst.CSTNode, Replacer]) -> None:
        super().__init__()
        self._replacements = replacements

    def on_leave(
        self, original_node: _Node, updated_node: _Node
    ) -> _Node | cst.RemovalSentinel | cst.FlattenSentinel[_Node]:
        replace = self._replacements.get(original_node)
        return updated_node if replace is None else cast(_Node, replace(updated_node))


def replace_nodes(
    func: cst.FunctionDef, replacements: Mapping[cst.CSTNode, Replacer]
) -> cst.FunctionDef:
    """Each key node (by identity) becomes replacer(its updated self); one traversal."""
    result = func.visit(_Swap(replacements))
    assert isinstance(result, cst.FunctionDef)
    return result


def constant(node: cst.CSTNode) -> Replacer:
    """A replacer that ignores the updated node and returns `node`."""
    return lambda _updated: node
