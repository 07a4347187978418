"""Import a target function from one particular worktree, and nothing else (standard library only).

Runs inside sandboxed workers and inside the recording pytest plugin. The module is imported with
the worktree (and its ``src/`` folder, and any extra folders the repository's tests put on
``sys.path``) first on ``sys.path``; the import is refused when Python finds the module anywhere
else (an installed copy, a standard-library module of the same name), because then we would be
testing the wrong code.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

TargetKind = Literal[
    "function", "method", "staticmethod", "classmethod", "property", "cached_property"
]
_GETTERS = ("property", "cached_property")
_CACHE_METHODS = ("cache_info", "cache_clear", "cache_parameters")


class TargetLoadError(Exception):
    """The target could not be imported from the given root."""


@dataclass(frozen=True)
class LoadedTarget:
    module: types.ModuleType
    owner: Any  # the module, or the class that holds the method
    name: str  # attribute name on owner
    raw: Any  # owner's own attribute: function, staticmethod, classmethod, property, ...
    kind: TargetKind

    @property
    def function(self) -> Callable[..., Any]:
        """The function of the def: a descriptor's ``__func__``, ``fget`` or ``func``, or raw."""
        func: Callable[..., Any] = self.raw
        if self.kind in ("staticmethod", "classmethod"):
            func = self.raw.__func__
        elif self.kind == "property":
            func = self.raw.fget
        elif self.kind == "cached_property":
            func = self.raw.func
        return func

    def callable(self) -> Callable[..., Any]:
        """What replay calls: ``callable(*args, **kwargs)`` with args exactly as recorded.

        For a property or cached_property it is the getter itself, called as ``fget(self)``: the
        recorded args are ``(self,)``, and nothing is cached on the instance.
        """
        if self.kind in _GETTERS:
            return self.function
        fn: Callable[..., Any] = getattr(self.owner, self.name)
        return fn

    def replacement(self, func: Callable[..., Any]) -> Any:
        """What to set on ``owner`` in place of ``raw`` so that ``func`` runs where the target ran:
        ``func`` in the same descriptor (a new read-only property, a new cached_property named
        like the old one, so its value is cached under the same attribute). A functools cache's
        own methods (on its type, which ``functools.wraps`` does not copy) are carried over: the
        repository's code and tests call them (a conftest's ``f.cache_clear()``)."""
        for attribute in _CACHE_METHODS:
            if hasattr(self.function, attribute) and not hasattr(func, attribute):
                setattr(func, attribute, getattr(self.function, attribute))
        if self.kind == "staticmethod":
            return staticmethod(func)
        if self.kind == "classmethod":
            return classmethod(func)
        if self.kind == "property":
            return property(func, None, None, self.raw.__doc__)
        if self.kind == "cached_property":
            new = functools.cached_property(func)
            new.__set_name__(self.owner, self.name)
            return new
        return func


def module_name_for(file: str) -> tuple[str, bool]:
    """("pkg.mod", uses_src_layout) for a target file path relative to the root."""
    path = PurePosixPath(file)
    if path.is_absolute() or ".." in path.parts or path.suffix != ".py":
        raise TargetLoadError(
            f"target file {file!r} must be a relative path to a .py file inside the repository"
        )
    parts = list(path.with_suffix("").parts)
    src = len(parts) > 1 and parts[0] == "src"
    if src:
        parts = parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(p.isidentifier() for p in parts):
        raise TargetLoadError(f"target file {file!r} is not importable as a Python module")
    return ".".join(parts), src


def search_path(root: Path, src: bool, extra: Sequence[str] = ()) -> list[str]:
    entries = [str(root)]
    if src or (root / "src").is_dir():
        entries.append(str(root / "src"))
    for rel in extra:
        candidate = (root / rel).resolve()
        if candidate.is_dir() and is_inside(candidate, root) and str(candidate) not in entries:
            entries.append(str(candidate))
    return entries


def is_inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def import_from_root(root: Path, file: str, extra_paths: Sequence[str] = ()) -> types.ModuleType:
    """Import the module of ``file`` from ``root``; refuse a module found anywhere else."""
    root = root.resolve()
    name, src = module_name_for(file)
    for entry in reversed(search_path(root, src, extra_paths)):
        if entry in sys.path:
            sys.path.remove(entry)
        sys.path.insert(0, entry)
    importlib.invalidate_caches()
    existing = sys.modules.get(name)
    if existing is not None and not _file_inside(existing, root):
        raise TargetLoadError(
            f"module {name!r} is already imported from {getattr(existing, '__file__', None)!r}, "
            f"not from {root}: refusing to test the wrong code (rename the module?)"
        )
    try:
        module = importlib.import_module(name)
    except BaseException as exc:  # the module's own import-time code may raise anything
        raise TargetLoadError(f"importing {name!r} from {root} failed: {_describe(exc)}") from exc
    if not _file_inside(module, root):
        raise TargetLoadError(
            f"module {name!r} was imported from {getattr(module, '__file__', None)!r}, which is "
            f"not inside {root}: refusing to test the wrong code (is another copy installed?)"
        )
    return module


def resolve(module: types.ModuleType, qualname: str) -> LoadedTarget:
    """Find ``qualname`` ("func", "Class.method", "Outer.Inner.method") in ``module``."""
    parts = qualname.split(".")
    if not all(p.isidentifier() for p in parts):
        raise TargetLoadError(f"qualname {qualname!r} is not a dotted name of a function")
    owner: Any = module
    for part in parts[:-1]:
        owner = getattr(owner, part, None)
        if not isinstance(owner, type):
            raise TargetLoadError(f"{qualname!r}: {part!r} is not a class in {module.__name__}")
    name = parts[-1]
    raw = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name, None)
    if raw is None:
        raise TargetLoadError(f"{module.__name__} has no function or method named {qualname!r}")
    target = LoadedTarget(module, owner, name, raw, _kind(owner, raw, qualname, module.__name__))
    func = target.function
    if inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func):
        raise TargetLoadError(f"{qualname!r} is an async function: replay is not supported")
    return target


def load_target(
    root: Path, file: str, qualname: str, extra_paths: Sequence[str] = ()
) -> LoadedTarget:
    return resolve(import_from_root(root, file, extra_paths), qualname)


def cache_clearers(module: types.ModuleType) -> list[Callable[[], None]]:
    """``cache_clear`` of every functools cache in the module: its functions and class members."""
    found: dict[int, Callable[[], None]] = {}
    for obj in _members(module):
        clear = getattr(obj, "cache_clear", None)
        if callable(clear):
            found.setdefault(id(obj), clear)
    return list(found.values())


def _members(module: types.ModuleType) -> Iterator[Any]:
    for value in list(vars(module).values()):
        yield value
        if isinstance(value, type) and value.__module__ == module.__name__:
            for member in list(vars(value).values()):
                yield getattr(member, "__func__", member)


def _kind(owner: Any, raw: Any, qualname: str, module: str) -> TargetKind:
    if isinstance(raw, staticmethod):
        return "staticmethod"
    if isinstance(raw, classmethod):
        return "classmethod"
    if isinstance(raw, types.FunctionType) or (callable(raw) and hasattr(raw, "__wrapped__")):
        return "method" if isinstance(owner, type) else "function"
    if type(raw) is property and isinstance(raw.fget, types.FunctionType):
        if raw.fset is not None or raw.fdel is not None:
            raise TargetLoadError(
                f"{qualname!r} in {module} is a property with a setter or deleter: the qualname "
                "may name the getter's def or the setter's, so it is not supported"
            )
        return "property"
    if type(raw) is functools.cached_property and isinstance(raw.func, types.FunctionType):
        return "cached_property"
    raise TargetLoadError(
        f"{qualname!r} in {module} is {type(raw).__name__}, not a function, method, read-only "
        "property or functools.cached_property (other descriptors are not supported)"
    )


def _file_inside(module: types.ModuleType, root: Path) -> bool:
    file = getattr(module, "__file__", None)
    return isinstance(file, str) and is_inside(Path(file), root)


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 500 else text[:500] + "…"
