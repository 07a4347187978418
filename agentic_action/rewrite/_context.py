"""One function, indexed for the rules: parents, and every use of every name with its role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import libcst as cst

from agentic_action.rewrite._facts import ModuleFacts
from agentic_action.rewrite._tree import children

NameKind = Literal["load", "store", "augstore", "del", "decl"]

_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


@dataclass(frozen=True)
class NameUse:
    node: cst.Name
    kind: NameKind
    nested: bool  # inside a def, lambda or class nested in the target function
    in_comprehension: bool  # inside a comprehension or generator expression


class FunctionContext:
    """The target function, its parent links and its name uses, built once per version."""

    def __init__(
        self,
        func: cst.FunctionDef,
        facts: ModuleFacts,
        *,
        default_indent: str = "    ",
        base_indent: str = "",
    ) -> None:
        self.func = func
        self.facts = facts
        self.default_indent = default_indent  # the file's indentation unit
        self.base_indent = base_indent  # leading whitespace of the `def` line
        self._parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self._children: dict[cst.CSTNode, list[cst.CSTNode]] = {}
        self.uses: dict[str, list[NameUse]] = {}
        self._index(func, nested=False, comp=False)
        self.body_nodes: tuple[cst.CSTNode, ...] = tuple(self.walk(func.body))

    def walk(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        """The subtree in pre-order (children cached for nodes of this function)."""
        stack = [node]
        while stack:
            current = stack.pop()
            yield current
            kids = self._children.get(current)
            stack.extend(reversed(kids if kids is not None else children(current)))

    # -- structure ---------------------------------------------------------------------------
    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self._parents.get(node)

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        """Parents from the nearest up to (and including) the target function."""
        current = self._parents.get(node)
        while current is not None:
            yield current
            current = self._parents.get(current)

    def is_within(self, node: cst.CSTNode, container: cst.CSTNode) -> bool:
        return node is container or any(a is container for a in self.ancestors(node))

    def target_role(self, node: cst.CSTNode) -> NameKind:
        """How `node` (a Name, Subscript or Attribute) is used: load, store, augstore or del."""
        return _target_kind(node, self._parents.get(node), self._parents)

    def in_nested_scope(self, node: cst.CSTNode) -> bool:
        return any(isinstance(a, _SCOPES) and a is not self.func for a in self.ancestors(node))

    def in_loop(self, node: cst.CSTNode) -> bool:
        """Evaluated repeatedly: in a for/while body, a while test, or a comprehension (not
        in its first iterable), without crossing into a nested function."""
        return self.outermost_loop(node) is not None

    def outermost_loop(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The outermost for/while/comprehension that re-evaluates `node` (None when none does,
        or when `node` sits in a nested def/lambda/class)."""
        found: cst.CSTNode | None = None
        child: cst.CSTNode = node
        for anc in self.ancestors(node):
            if isinstance(anc, _SCOPES) and anc is not self.func:
                return None
            if (
                (isinstance(anc, cst.For) and child is anc.body)
                or (isinstance(anc, cst.While) and (child is anc.body or child is anc.test))
                or (isinstance(anc, _COMPREHENSIONS) and not self.is_within(node, anc.for_in.iter))
            ):
                found = anc
            child = anc
        return found

    def guarded_by_try_or_with(self, node: cst.CSTNode) -> bool:
        """True when a try (any part) or a with encloses `node` inside the function."""
        return any(isinstance(a, cst.Try | cst.TryStar | cst.With) for a in self.ancestors(node))

    # -- names -------------------------------------------------------------------------------
    def uses_of(self, name: str) -> list[NameUse]:
        return self.uses.get(name, [])

    def stores_of(self, name: str) -> list[NameUse]:
        return [u for u in self.uses_of(name) if u.kind != "load"]

    @cached_property
    def names(self) -> frozenset[str]:
        return frozenset(self.uses)

    @cached_property
    def introspects_frame(self) -> bool:
        """locals(), vars(), eval(), exec() or frame access can observe local variables."""
        if {"locals", "vars", "eval", "exec", "dir"} & self.names:
            return True
        return any(self._mentions_attr(a) for a in ("_getframe", "currentframe", "f_locals"))

    def fresh_name(self, *bases: str) -> str:
        """A name used nowhere in the file nor in this function: the first free base, else
        `bases[0]_2`, `bases[0]_3`, ..."""
        taken = self.facts.identifiers | self.names
        for candidate in bases:
            if candidate.isidentifier() and candidate not in taken:
                return candidate
        n = 2
        while f"{bases[0]}_{n}" in taken:
            n += 1
        return f"{bases[0]}_{n}"

    def indentation(self, node: cst.CSTNode) -> str:
        """The whitespace that starts the line of a statement `node` of this function."""
        blocks = [a for a in self.ancestors(node) if isinstance(a, cst.IndentedBlock)]
        units = (b.indent if b.indent is not None else self.default_indent for b in blocks)
        return self.base_indent + "".join(units)

    @cached_property
    def longest_line(self) -> int:
        code = cst.Module([], default_indent=self.default_indent).code_for_node(self.func)
        return max((len(self.base_indent) + len(line) for line in code.splitlines()), default=0)

    # -- indexing ----------------------------------------------------------------------------
    def _index(self, node: cst.CSTNode, *, nested: bool, comp: bool) -> None:
        kids = self._children[node] = children(node)
        for child in kids:
            self._parents[child] = node
            child_nested = nested or (isinstance(node, _SCOPES) and node is not self.func)
            child_comp = comp or isinstance(node, _COMPREHENSIONS)
            if isinstance(child, cst.Name):
                kind = _classify(child, node, self._parents)
                if kind is not None:
                    use = NameUse(child, kind, child_nested, child_comp)
                    self.uses.setdefault(child.value, []).append(use)
            self._index(child, nested=child_nested, comp=child_comp)

    def _mentions_attr(self, attr: str) -> bool:
        return any(
            isinstance(p, cst.Attribute) and p.attr.value == attr for p in self._parents.values()
        )


_BINDERS = (cst.AssignTarget, cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr, cst.AugAssign)
_CAPTURES = (cst.MatchAs, cst.MatchStar)


def _classify(
    name: cst.Name, parent: cst.CSTNode, parents: dict[cst.CSTNode, cst.CSTNode]
) -> NameKind | None:
    """The role of one Name node, or None when it is not a variable (attribute, keyword)."""
    if isinstance(parent, cst.Attribute) and parent.attr is name:
        return None
    if isinstance(parent, cst.Arg) and parent.keyword is name:
        return None
    if isinstance(parent, cst.ImportFrom):
        return None  # the module part of `from a import b`
    if isinstance(parent, cst.NameItem):
        return "decl"
    if isinstance(parent, cst.FunctionDef | cst.ClassDef) and parent.name is name:
        return "store"
    if isinstance(parent, cst.Param) and parent.name is name:
        return "store"
    if isinstance(parent, cst.AsName | cst.ImportAlias | cst.MatchMapping):
        return "store"
    if isinstance(parent, _CAPTURES) and parent.name is name:
        return "store"
    if _inside_import(parent, parents):
        return "store"
    return _target_kind(name, parent, parents)


def _inside_import(node: cst.CSTNode, parents: dict[cst.CSTNode, cst.CSTNode]) -> bool:
    current: cst.CSTNode | None = node
    while isinstance(current, cst.Attribute):
        current = parents.get(current)
    return isinstance(current, cst.ImportAlias)


def _target_kind(
    node: cst.CSTNode, parent: cst.CSTNode | None, parents: dict[cst.CSTNode, cst.CSTNode]
) -> NameKind:
    """load, or store/del when the node sits (maybe inside tuples) in an assignment target."""
    top: cst.CSTNode = node
    holder: cst.CSTNode | None = parent
    while isinstance(holder, cst.Element | cst.StarredElement | cst.Tuple | cst.List):
        top, holder = holder, parents.get(holder)
    if isinstance(holder, cst.Del) and holder.target is top:
        return "del"
    if isinstance(holder, cst.AugAssign) and holder.target is top:
        return "augstore"
    if isinstance(holder, _BINDERS) and getattr(holder, "target", None) is top:
        return "store"
    if isinstance(holder, cst.AsName) and holder.name is top:
        return "store"  # `with f() as (a, b):`
    return "load"
