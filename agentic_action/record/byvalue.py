"""Pickling of functions that pickle cannot find by name, by value (standard library only).

Plain pickle stores a function as a reference (module and ``__qualname__``), so a function
defined inside another one (a test's callback, a lambda, ``help_option.<locals>.show_help``)
cannot be pickled, nor can any recorded input that holds one. :func:`dumps` (and
:class:`Pickler`) store such a function by value instead: its code object as
``marshal.dumps`` bytes, the NAME of the module whose globals it uses, its name, qualname,
defaults, closure cells' contents, ``__dict__`` (``functools.wraps`` puts ``__wrapped__`` there),
``__module__`` and ``__doc__`` (annotations are dropped). Plain ``pickle.loads`` reads it back
through :func:`rebuild` and :func:`fill`: the module is imported by name and its ``__dict__`` is
the new function's globals, so the module must be importable where the pickle is loaded (the
replay workers get the test folders the recording had on ``sys.path``).

The function is created first and its cells, defaults and attributes are set afterwards, so a
recursive local function (a cell that holds the function itself) loads through pickle's memo.
Functions pickle can find by name, bound methods of local classes, generators and the like
pickle (or fail) exactly as before.

marshal's format belongs to one interpreter version: these pickles are read only by the same
interpreter that wrote them (the recording and the replays run the repository's ``--python``).
Equal functions give equal bytes (the recorder deduplicates by bytes): the marshal bytes of a code
object are computed once per process, and a code object loaded from a pickle is written back
with the bytes it came from. The pickles are made and loaded inside our own sandboxed runs of the
repository's own code, as every recorded input already is.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import io
import marshal
import pickle
import re
import sys
import types
from collections.abc import Iterator
from typing import Any

from agentic_action.record.rematch import reduce_match

PROTOCOL = pickle.HIGHEST_PROTOCOL
_CODE_CACHE_LIMIT = 4096
_code_bytes: dict[int, tuple[types.CodeType, bytes]] = {}  # id(code) -> (code, its bytes)


class Pickler(pickle.Pickler):
    """A pickler that stores functions pickle cannot find by name by value, and ``re.Match``
    objects as the match to run again (record/rematch.py)."""

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is types.FunctionType and not _left_to_pickle(obj):
            return reduce_function(obj)
        if type(obj) is re.Match:
            return reduce_match(obj) or NotImplemented
        return NotImplemented


def dumps(obj: Any, protocol: int = PROTOCOL) -> bytes:
    """``pickle.dumps`` with local functions and lambdas stored by value."""
    buffer = io.BytesIO()
    Pickler(buffer, protocol=protocol).dump(obj)
    return buffer.getvalue()


def _left_to_pickle(func: types.FunctionType) -> bool:
    """Whether plain pickle stores ``func`` by reference (its module is imported and its
    ``__qualname__`` leads from there to this very function), or the function cannot be stored
    by value (its globals are no imported module's): plain pickle then decides, as before."""
    module = sys.modules.get(getattr(func, "__module__", None) or "")
    found: Any = module
    try:
        for part in func.__qualname__.split("."):
            found = getattr(found, part, None)
    except Exception:  # a module's or class's own __getattr__ may raise anything
        found = None
    return (module is not None and found is func) or _globals_module(func) is None


def _globals_module(func: types.FunctionType) -> str | None:
    """The name of the imported module whose ``__dict__`` is the function's globals."""
    name = func.__globals__.get("__name__")
    if not isinstance(name, str) or name == "__main__":
        return None
    module = sys.modules.get(name)
    if module is None or getattr(module, "__dict__", None) is not func.__globals__:
        return None
    return name


def reduce_function(func: types.FunctionType) -> tuple[Any, ...]:
    """The reduce tuple of a function stored by value: ``rebuild(...)``, then ``fill(f, state)``."""
    module = _globals_module(func)
    cells, empty = cell_values(func)
    state = (
        _interned(func.__qualname__),
        func.__defaults__,
        func.__kwdefaults__,
        cells,
        empty,
        dict(func.__dict__),
        _interned(func.__module__),
        _interned(func.__doc__),
    )
    cell_count = len(func.__closure__ or ())
    args = (code_bytes(func.__code__), _interned(module), _interned(func.__name__), cell_count)
    return (rebuild, args, state, None, None, fill)


def cell_values(func: types.FunctionType) -> tuple[tuple[Any, ...], tuple[int, ...]]:
    """What the function's closure cells hold (None for an empty one), and which are empty (a
    name assigned after the def ran)."""
    values: list[Any] = []
    empty: list[int] = []
    for index, cell in enumerate(func.__closure__ or ()):
        try:
            values.append(cell.cell_contents)
        except ValueError:
            values.append(None)
            empty.append(index)
    return tuple(values), tuple(empty)


def _interned(value: Any) -> Any:
    """Equal names as one object: pickle writes a second reference to an object it has seen
    (shared strings before loading, separate ones after), so interning keeps the bytes equal."""
    return sys.intern(value) if type(value) is str else value


def code_bytes(code: types.CodeType) -> bytes:
    """``marshal.dumps(code)``, the same bytes every time for one code object."""
    known = _code_bytes.get(id(code))
    if known is not None and known[0] is code:
        return known[1]
    data = marshal.dumps(code)
    _remember(code, data)
    return data


def _remember(code: types.CodeType, data: bytes) -> None:
    if len(_code_bytes) < _CODE_CACHE_LIMIT:
        _code_bytes[id(code)] = (code, data)


def rebuild(data: bytes, module: str, name: str, cells: int) -> types.FunctionType:
    """A function of the marshalled code with the module's globals and empty cells."""
    code = marshal.loads(data)
    if not isinstance(code, types.CodeType):
        raise pickle.UnpicklingError("by-value function: the data is not a code object")
    _remember(code, data)
    namespace = importlib.import_module(module).__dict__
    _add_assertion_names(code, namespace)
    closure = tuple(types.CellType() for _ in range(cells)) or None
    return types.FunctionType(code, namespace, name, None, closure)


def _add_assertion_names(code: types.CodeType, namespace: dict[str, Any]) -> None:
    """pytest rewrites a test module's asserts to use two globals it adds when it imports the
    module; where the module was imported without pytest, a test's function gets them too."""
    names = set(_names(code))
    if "@py_builtins" in names and "@py_builtins" not in namespace:
        namespace["@py_builtins"] = builtins
    if "@pytest_ar" in names and "@pytest_ar" not in namespace:
        with contextlib.suppress(ImportError):
            namespace["@pytest_ar"] = importlib.import_module("_pytest.assertion.rewrite")


def _names(code: types.CodeType) -> Iterator[str]:
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _names(const)


def fill(func: types.FunctionType, state: tuple[Any, ...]) -> None:
    """Set what :func:`reduce_function` stored after the function itself (it may refer back)."""
    qualname, defaults, kwdefaults, cells, empty, attributes, module, doc = state
    func.__qualname__ = qualname
    func.__defaults__ = defaults
    func.__kwdefaults__ = kwdefaults
    for index, (cell, value) in enumerate(zip(func.__closure__ or (), cells, strict=True)):
        if index not in empty:
            cell.cell_contents = value
    func.__dict__.update(attributes)
    func.__module__ = module
    func.__doc__ = doc
