"""Optimization methods, one module each, registered by the name users type."""

from __future__ import annotations

from collections.abc import Callable

from agentic_action.methods.base import Method, MethodContext, MethodOutcome, Proof


def _rules() -> Method:
    from agentic_action.methods.rules import RulesMethod

    return RulesMethod()


REGISTRY: dict[str, Callable[[], Method]] = {"rules": _rules}


def get_method(name: str) -> Method:
    try:
        return REGISTRY[name]()
    except KeyError:
        raise ValueError(f"unknown method {name!r}; available: {', '.join(REGISTRY)}") from None


__all__ = ["REGISTRY", "Method", "MethodContext", "MethodOutcome", "Proof", "get_method"]
