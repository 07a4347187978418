"""Can evaluating an expression raise StopIteration? (PEP 479: inside a generator it would
become RuntimeError, outside one it propagates as itself.)

A rule that moves code out of a generator (or into one) changes the type of a StopIteration
raised while that code runs. `cannot_raise_stopiteration` answers for any libcst expression,
under one stated assumption: special methods and properties (`__eq__`, `__lt__`, `__hash__`,
`__bool__`, `__len__`, `__str__`, `__format__`, `__getattr__`, `__getitem__`, `__contains__`,
`__iter__`, `__index__`, descriptors, ...) never let a StopIteration escape. A `__next__`
raising StopIteration is not a leak: that is how iteration ends, and every builtin that
iterates consumes it.

What remains is calls. A call can run any code, so only these are accepted: a real builtin
(nothing in the file binds the name, no star import) from `_BUILTINS`, with an argument count
and keywords that cannot hand it a user callable to run (no `key=`, no `iter(f, sentinel)`, no
`type(name, bases, ns)`, no `*`/`**`); and a str method (never `encode`, which can reach a
codec search function) called on a receiver `exact_type` proves an exact str. `yield` and
`await` are refused outright (a value thrown in or an awaitable's own StopIteration).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from agentic_action.rewrite._collections import exact_type
from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._tree import walk


@dataclass(frozen=True)
class _Shape:
    """The calls of one builtin that run no user callable: positional counts and keywords."""

    positional: range
    keywords: frozenset[str] = frozenset()


def _shape(low: int, high: int, *keywords: str) -> _Shape:
    return _Shape(range(low, high + 1), frozenset(keywords))


# Builtins whose work is special methods only (assumed not to leak StopIteration) or
# iteration (a __next__'s StopIteration ends it). Never: next, anext, map, filter, any, all,
# dict (it calls a mapping's own keys()), print, setattr, open, __import__, eval, ...
_BUILTINS: dict[str, _Shape] = {
    "abs": _shape(1, 1),
    "ascii": _shape(1, 1),
    "bin": _shape(1, 1),
    "bool": _shape(0, 1),
    "callable": _shape(1, 1),
    "chr": _shape(1, 1),
    "divmod": _shape(2, 2),
    "enumerate": _shape(1, 2, "start"),
    "float": _shape(0, 1),
    "format": _shape(1, 2),
    "frozenset": _shape(0, 1),
    "getattr": _shape(2, 3),
    "hasattr": _shape(2, 2),
    "hash": _shape(1, 1),
    "hex": _shape(1, 1),
    "id": _shape(1, 1),
    "int": _shape(0, 2, "base"),
    "isinstance": _shape(2, 2),
    "issubclass": _shape(2, 2),
    "iter": _shape(1, 1),
    "len": _shape(1, 1),
    "list": _shape(0, 1),
    "max": _shape(1, 99, "default"),
    "min": _shape(1, 99, "default"),
    "oct": _shape(1, 1),
    "ord": _shape(1, 1),
    "pow": _shape(2, 3),
    "range": _shape(1, 3),
    "repr": _shape(1, 1),
    "reversed": _shape(1, 1),
    "round": _shape(1, 2, "ndigits"),
    "set": _shape(0, 1),
    "sorted": _shape(1, 1, "reverse"),
    "str": _shape(0, 1),
    "sum": _shape(1, 2, "start"),
    "tuple": _shape(0, 1),
    "type": _shape(1, 1),
    "zip": _shape(0, 99, "strict"),
}
_STR_METHODS = frozenset(
    name for name in vars(str) if not name.startswith("_") and name != "encode"
)


def cannot_raise_stopiteration(expr: cst.CSTNode, ctx: FunctionContext) -> bool:
    """True when evaluating `expr` (any libcst expression, or any node whose subtree is
    evaluated, such as a comprehension's clauses) certainly cannot raise StopIteration,
    under the module docstring's assumption about special methods. Every call in the
    subtree, nested lambdas and comprehensions included, must be an accepted one.
    """
    for node in walk(expr):
        if isinstance(node, cst.Yield | cst.Await):
            return False
        if isinstance(node, cst.Call) and not _harmless_call(node, ctx):
            return False
    return True


def _harmless_call(call: cst.Call, ctx: FunctionContext) -> bool:
    if any(arg.star for arg in call.args):
        return False
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value in _STR_METHODS and exact_type(func.value, ctx) == "str"
    if not isinstance(func, cst.Name) or not ctx.facts.is_builtin(func.value):
        return False
    shape = _BUILTINS.get(func.value)
    if shape is None:
        return False
    positional = [arg for arg in call.args if arg.keyword is None]
    keywords = [arg.keyword.value for arg in call.args if arg.keyword is not None]
    return len(positional) in shape.positional and set(keywords) <= shape.keywords
