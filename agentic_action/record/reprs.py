"""Short, safe, comparable text for values and errors (standard library only)."""

from __future__ import annotations

import re
import reprlib
from typing import Any

_repr = reprlib.Repr()
_repr.maxstring = 80
_repr.maxother = 80
_repr.maxlevel = 4
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = _repr.maxfrozenset = 8
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{4,}")


def normalize(text: str) -> str:
    """Memory addresses differ between processes; ``<Foo object at 0x7f...>`` becomes ``0x…``."""
    return _ADDRESS.sub("0x…", text)


def safe_repr(value: Any) -> str:
    try:
        return normalize(_repr.repr(value))
    except Exception as exc:  # a user __repr__ may raise anything
        return f"<{type(value).__name__}: repr failed with {type(exc).__name__}>"


def call_repr(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    parts = [safe_repr(a) for a in args]
    parts += [f"{k}={safe_repr(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def short_error(exc: BaseException, limit: int = 160) -> str:
    text = normalize(f"{type(exc).__name__}: {exc}")
    return text if len(text) <= limit else text[:limit] + "…"


def type_name(obj: Any) -> str:
    kind = obj if isinstance(obj, type) else type(obj)
    return f"{kind.__module__}.{kind.__qualname__}"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"… [{len(text) - limit} more chars]"
