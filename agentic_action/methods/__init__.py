"""Optimization methods, one module each, registered by the name users type."""

from __future__ import annotations

from agentic_action.methods.base import Method, NoCandidate


def get_method(name: str) -> Method:
    if name == "rules":
        from agentic_action.methods.rules import RulesMethod

        return RulesMethod()
    raise ValueError(f"unknown method {name!r}; available: rules")


__all__ = ["Method", "NoCandidate", "get_method"]
