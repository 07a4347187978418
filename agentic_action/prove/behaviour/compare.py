"""Deep comparison of replay outcomes (standard library only; runs in the sandboxed comparer).

Rules (also in docs/methodology.md):

- types must match exactly (``1`` vs ``1.0`` vs ``True``, ``list`` vs ``tuple`` all differ);
- floats are equal when ``==``, or both NaN, or — only when ``rel_tol > 0`` — when
  ``math.isclose(a, b, rel_tol=rel_tol, abs_tol=0)``; complex numbers part by part;
- lists and tuples element by element; dicts by keys *and key order* (iteration order is
  observable behaviour) then values; sets and frozensets with ``==``;
- numpy arrays by shape, dtype and ``array_equal`` (``allclose`` with ``rel_tol``);
- other objects with their own ``__eq__``: that ``__eq__`` decides (with ``rel_tol > 0`` an
  unequal pair is given a second chance through the structural comparison below);
- objects without their own ``__eq__``: same type and structurally equal attributes
  (``__dict__`` and ``__slots__``), compared recursively; otherwise equal pickles;
- functions: the same qualname, and equal defaults, captured values and attributes (not the
  code, which each side compiles from its own file).
"""

from __future__ import annotations

import base64
import math
import pickle
import types
from typing import Any

from agentic_action.record import byvalue
from agentic_action.record.reprs import safe_repr, type_name

MAX_DEPTH = 200


class Comparer:
    def __init__(self, rel_tol: float = 0.0) -> None:
        self.rel_tol = rel_tol
        self._active: set[tuple[int, int]] = set()

    def diff(self, a: Any, b: Any, path: str, depth: int = 0) -> str | None:
        """None when equal, else where and how the two values first differ."""
        if a is b:
            return None
        if type(a) is not type(b):
            return f"{path}: {type_name(a)} {safe_repr(a)} vs {type_name(b)} {safe_repr(b)}"
        key = (id(a), id(b))
        if key in self._active:  # a cycle: the pair is already being compared further up
            return None
        if depth > MAX_DEPTH:
            return None if _same_pickle(a, b) else f"{path}: differs (deeply nested)"
        self._active.add(key)
        try:
            return self._dispatch(a, b, path, depth + 1)
        finally:
            self._active.discard(key)

    def _dispatch(self, a: Any, b: Any, path: str, depth: int) -> str | None:
        if isinstance(a, float):
            return None if self._floats_equal(a, b) else _shown(path, a, b)
        if isinstance(a, complex):
            same = self._floats_equal(a.real, b.real) and self._floats_equal(a.imag, b.imag)
            return None if same else _shown(path, a, b)
        if isinstance(a, (list, tuple)):
            return self._sequences(a, b, path, depth)
        if isinstance(a, dict):
            return self._dicts(a, b, path, depth, ordered=True)
        if isinstance(a, (set, frozenset)):
            return None if a == b else _set_difference(a, b, path)
        if _is_array(a):
            return self._arrays(a, b, path)
        if isinstance(a, types.FunctionType):
            return self._functions(a, b, path, depth)
        if _own_eq(a):
            return self._by_eq(a, b, path, depth)
        return self._structural(a, b, path, depth)

    def _floats_equal(self, a: float, b: float) -> bool:
        if a == b or (math.isnan(a) and math.isnan(b)):
            return True
        return self.rel_tol > 0 and math.isclose(a, b, rel_tol=self.rel_tol, abs_tol=0.0)

    def _sequences(self, a: Any, b: Any, path: str, depth: int) -> str | None:
        if len(a) != len(b):
            return f"{path}: length {len(a)} vs {len(b)} ({safe_repr(a)} vs {safe_repr(b)})"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = self.diff(x, y, f"{path}[{i}]", depth)
            if found:
                return found
        return None

    def _dicts(self, a: Any, b: Any, path: str, depth: int, *, ordered: bool) -> str | None:
        if a.keys() != b.keys():
            only_a = [k for k in a if k not in b][:5]
            only_b = [k for k in b if k not in a][:5]
            return (
                f"{path}: keys only in original {safe_repr(only_a)}, "
                f"only in candidate {safe_repr(only_b)}"
            )
        if ordered and list(a) != list(b):
            order = f"{safe_repr(list(a))} vs {safe_repr(list(b))}"
            return f"{path}: same keys in a different order ({order})"
        for k in a:
            found = self.diff(a[k], b[k], f"{path}[{safe_repr(k)}]", depth)
            if found:
                return found
        return None

    def _arrays(self, a: Any, b: Any, path: str) -> str | None:
        import numpy  # only reached when the values are numpy arrays

        if a.shape != b.shape or a.dtype != b.dtype:
            return f"{path}: array {a.shape} {a.dtype} vs {b.shape} {b.dtype}"
        try:
            if self.rel_tol > 0 and a.dtype.kind in "fc":
                same = bool(numpy.allclose(a, b, rtol=self.rel_tol, atol=0.0, equal_nan=True))
            else:
                same = bool(numpy.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
        except TypeError:
            same = bool(numpy.array_equal(a, b))
        return None if same else _shown(path, a, b)

    def _by_eq(self, a: Any, b: Any, path: str, depth: int) -> str | None:
        try:
            result = a == b
            same = result if isinstance(result, bool) else _equals_method(a, b)
        except Exception:
            same = _same_pickle(a, b)
        if same:
            return None
        if self.rel_tol > 0 and _state(a) is not None:
            return self._structural(a, b, path, depth)
        return _shown(path, a, b)

    def _functions(
        self, a: types.FunctionType, b: types.FunctionType, path: str, depth: int
    ) -> str | None:
        """Two functions (a returned closure, a callback an object keeps): the same qualname,
        and equal defaults, captured values and attributes. Not their code: each side's comes
        from its own file (another path, other line numbers), and a rewrite may change a
        nested function's code on purpose; what that code does is the tests' to judge."""
        if a.__qualname__ != b.__qualname__:
            return _shown(path, a, b)
        return self.diff(_function_state(a), _function_state(b), f"{path}.<function>", depth)

    def _structural(self, a: Any, b: Any, path: str, depth: int) -> str | None:
        sa, sb = _state(a), _state(b)
        if sa is None or sb is None:
            return None if _same_pickle(a, b) else _shown(path, a, b)
        return self._dicts(sa, sb, f"{path}.attrs", depth, ordered=False)


def _function_state(func: types.FunctionType) -> tuple[Any, ...]:
    cells, empty = byvalue.cell_values(func)
    return (func.__defaults__, func.__kwdefaults__, cells, empty, dict(func.__dict__))


def _own_eq(value: Any) -> bool:
    """Whether the type defines equality itself (instead of object identity)."""
    equality: object = type(value).__eq__
    return equality is not object.__eq__


def _is_array(value: Any) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "shape") and hasattr(value, "dtype")


def _equals_method(a: Any, b: Any) -> bool:
    equals = getattr(a, "equals", None)  # pandas objects
    return bool(equals(b)) if callable(equals) else _same_pickle(a, b)


def _state(obj: Any) -> dict[str, Any] | None:
    state: dict[str, Any] = dict(getattr(obj, "__dict__", None) or {})
    for cls in type(obj).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        for slot in (slots,) if isinstance(slots, str) else slots:
            if slot not in ("__dict__", "__weakref__") and hasattr(obj, slot):
                state[slot] = getattr(obj, slot)
    has_state = hasattr(obj, "__dict__") or any(
        "__slots__" in c.__dict__ for c in type(obj).__mro__
    )
    return state if has_state else None


def _same_pickle(a: Any, b: Any) -> bool:
    try:
        return byvalue.dumps(a) == byvalue.dumps(b)
    except Exception:
        return False


def _shown(path: str, a: Any, b: Any) -> str:
    return f"{path}: {safe_repr(a)} vs {safe_repr(b)}"


def _set_difference(a: Any, b: Any, path: str) -> str:
    return (
        f"{path}: only in original {safe_repr(set(a) - set(b))}, "
        f"only in candidate {safe_repr(set(b) - set(a))}"
    )


# ---- outcomes -----------------------------------------------------------------------------------


def describe(outcome: dict[str, Any] | None) -> str:
    """What one replayed call did, in words."""
    if outcome is None:
        return "was not run"
    kind = outcome.get("kind")
    if kind == "return":
        return f"returned {outcome.get('value', {}).get('repr', '?')}"
    if kind == "raise":
        return f"raised {outcome.get('exc_type')}: {outcome.get('message', '')}"[:600]
    if kind == "crash":
        return f"crashed the interpreter ({outcome.get('how', 'exit')})"
    if kind == "timeout" and outcome.get("how") == "not started":
        return "was not reached: its replay ran out of time before this call began"
    if kind == "timeout":
        return "did not finish within the time limit (endless loop?)"
    return f"could not load the recorded input: {outcome.get('error', '')}"


def outcome_difference(
    x: dict[str, Any], y: dict[str, Any], rel_tol: float, *, messages: bool = True
) -> str | None:
    """None when both calls behaved the same, else the first difference, in words.
    ``messages=False``: exceptions are compared by type only (differential inputs)."""
    if x.get("kind") != y.get("kind"):
        return f"{describe(x)} vs {describe(y)}"
    kind = x.get("kind")
    raised = ("exc_type", "message") if messages else ("exc_type",)
    if kind == "raise" and [x.get(k) for k in raised] != [y.get(k) for k in raised]:
        return f"exception {describe(x)} vs {describe(y)}"
    if kind == "crash" and x.get("how") != y.get("how"):
        return f"{describe(x)} vs {describe(y)}"
    if kind == "return":
        found = encoded_difference(x.get("value", {}), y.get("value", {}), rel_tol, "return value")
        if found:
            return found
    if kind in ("return", "raise"):
        return _side_effects(x, y, rel_tol)
    return None


def _side_effects(x: dict[str, Any], y: dict[str, Any], rel_tol: float) -> str | None:
    found = _arguments_difference(x.get("args_after", {}), y.get("args_after", {}), rel_tol)
    if found:
        return f"mutation of arguments differs: {found}"
    for stream in ("stdout", "stderr"):
        if x.get(stream, "") != y.get(stream, ""):
            shown = f"{x.get(stream, '')[:300]!r} vs {y.get(stream, '')[:300]!r}"
            return f"printed {stream} differs: {shown}"
    if x.get("writes", []) != y.get("writes", []):
        return f"file-system writes differ: {x.get('writes', [])[:5]} vs {y.get('writes', [])[:5]}"
    return None


def _arguments_difference(ex: dict[str, Any], ey: dict[str, Any], rel_tol: float) -> str | None:
    """Which argument ends up different after the call, shown whole."""
    if ex.get("sha") and ex.get("sha") == ey.get("sha"):
        return None
    (a, a_ok), (b, b_ok) = _unpickled(ex), _unpickled(ey)
    if not (a_ok and b_ok and _is_call(a) and _is_call(b)):
        return encoded_difference(ex, ey, rel_tol, "arguments after the call")
    comparer = Comparer(rel_tol)
    named = [
        (f"argument {i}", f"args[{i}]", v, w)
        for i, (v, w) in enumerate(zip(a[0], b[0], strict=False))
    ]
    named += [(f"argument {k}=", f"kwargs[{k!r}]", a[1][k], b[1].get(k)) for k in a[1]]
    for label, path, v, w in named:
        found = comparer.diff(v, w, path)
        if found:
            return f"{label} after the call: {safe_repr(v)} vs {safe_repr(w)} (at {found})"
    return comparer.diff(a, b, "(args, kwargs)")


def _is_call(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], tuple)
        and isinstance(value[1], dict)
    )


def encoded_difference(
    ex: dict[str, Any], ey: dict[str, Any], rel_tol: float, label: str
) -> str | None:
    if ex.get("sha") and ex.get("sha") == ey.get("sha"):
        return None
    a, a_ok = _unpickled(ex)
    b, b_ok = _unpickled(ey)
    if a_ok and b_ok:
        return Comparer(rel_tol).diff(a, b, label)
    if ex.get("sha") and ey.get("sha"):
        return f"{label}: differs (too large to load; pickles differ)"
    if (ex.get("type"), ex.get("repr")) == (ey.get("type"), ey.get("repr")) and not (
        ex.get("sha") or ey.get("sha")
    ):
        return None  # neither could be pickled: equal type and repr is all we can check
    left = f"{ex.get('repr')} ({ex.get('error', 'pickled')})"
    return f"{label}: {left} vs {ey.get('repr')} ({ey.get('error', 'pickled')})"


def _unpickled(encoded: dict[str, Any]) -> tuple[Any, bool]:
    data = encoded.get("pickle")
    if not data:
        return None, False
    try:
        return pickle.loads(base64.b64decode(data)), True
    except Exception:
        return None, False
