"""Module-wide facts the rules rely on: are the builtins really builtins, is `re` the stdlib."""

from __future__ import annotations

import ast
import builtins
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ModuleFacts:
    """What the whole file says about names (computed once from the original source)."""

    binding_counts: Counter[str]  # every name bound anywhere in the module, with how often
    identifiers: frozenset[str]  # every identifier that appears anywhere (for fresh names)
    star_import: bool  # `from x import *` anywhere: any builtin may be shadowed
    re_is_stdlib: bool  # `re` is bound once, by a top-level `import re`

    def is_builtin(self, name: str) -> bool:
        """True when `name` can only mean the builtin: nothing in the file binds it."""
        return not self.star_import and name not in self.binding_counts and hasattr(builtins, name)

    def all_builtin(self, *names: str) -> bool:
        return all(self.is_builtin(name) for name in names)


def module_facts(tree: ast.Module) -> ModuleFacts:
    counts: Counter[str] = Counter()
    identifiers: set[str] = set()
    star = False
    for node in ast.walk(tree):
        for name in _bound_names(node):
            counts[name] += 1
        if isinstance(node, ast.Name):
            identifiers.add(node.id)
        elif isinstance(node, ast.Attribute):
            identifiers.add(node.attr)
        elif isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            star = True
    identifiers.update(counts)
    return ModuleFacts(
        binding_counts=counts,
        identifiers=frozenset(identifiers),
        star_import=star,
        re_is_stdlib=not star and counts["re"] == 1 and _imports_re_at_top(tree),
    )


def _imports_re_at_top(tree: ast.Module) -> bool:
    return any(
        isinstance(stmt, ast.Import)
        and any(a.name == "re" and a.asname is None for a in stmt.names)
        for stmt in tree.body
    )


def _bound_names(node: ast.AST) -> Iterator[str]:
    """Names a node binds (assignment, import, def, parameter, except/with/match capture, ...)."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
        yield node.id
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        yield node.name
    elif isinstance(node, ast.arg):
        yield node.arg
    elif isinstance(node, ast.alias):
        if node.name != "*":
            yield node.asname or node.name.split(".")[0]
    elif isinstance(node, ast.ExceptHandler) and node.name:
        yield node.name
    elif isinstance(node, ast.Global | ast.Nonlocal):
        yield from node.names
    elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
        yield node.name
    elif isinstance(node, ast.MatchMapping) and node.rest:
        yield node.rest
