"""Optimization methods, one module each; ``registry`` maps the name users type to the class."""

from __future__ import annotations

from agentic_action.methods.base import Method, MethodContext, MethodOutcome, Proof

__all__ = ["Method", "MethodContext", "MethodOutcome", "Proof"]
