"""Extra CLI commands, one module each. Each module has ``register(commands)`` that adds its
sub-parsers to ``agentic-optimizer`` and sets ``handler=`` (a function of the parsed arguments
returning the exit code) on each."""

from __future__ import annotations

import argparse
import importlib
import pkgutil


def register_all(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(commands)
