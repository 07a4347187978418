"""The one door to optional extras: import what an extra provides, or say which extra to install.

The base install (``pip install agentic-optimizer``) runs the rules engine end to end. The extras
add features: ``llm`` (litellm, jinja2: the LLM methods), ``checks`` (mypy, semgrep: static
checks), ``ipfs`` (ipfshttpclient: sharing patches over IPFS). No module of the package imports
an extra's module at module level; the code that needs one calls :func:`require` when the
feature is used, so a missing extra fails there, with the install command, and never on import::

    ipfshttpclient = require("ipfshttpclient", "ipfs", "IPFS sharing")
"""

from __future__ import annotations

import importlib
from types import ModuleType

from agentic_action.errors import BadInput

PACKAGE = "agentic-optimizer"


class MissingExtraError(BadInput, ImportError):
    """A feature was used whose optional extra is not installed."""

    def __init__(self, feature: str, extra: str, module: str) -> None:
        super().__init__(f"{feature} needs the {extra} extra: {install_hint(extra)}", name=module)
        self.feature = feature
        self.extra = extra


def install_hint(extra: str) -> str:
    """The command that installs ``extra``."""
    return f"pip install '{PACKAGE}[{extra}]'"


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module`` (from the extra ``extra``) for ``feature``.

    MissingExtraError names the feature, the extra and the install command when ``module`` or a
    parent package of it is not installed. Any other import failure (an installed module whose
    own dependency is missing or broken) propagates unchanged: that is not a missing extra.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        parts = module.split(".")
        if error.name not in {".".join(parts[: i + 1]) for i in range(len(parts))}:
            raise
        raise MissingExtraError(feature, extra, module) from error
