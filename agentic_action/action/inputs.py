"""The Action's inputs, read the way runners pass them, checked one by one.

A Docker action gets ``INPUT_MAX-AGENTS`` (the name upper-cased, hyphens kept); our composite
``action.yml`` passes ``INPUT_MAX_AGENTS``. Both spellings are read. Inputs that belong to the
settings model go to :func:`agentic_action.settings.load_settings` unchanged; the ones for other
modules are mapped here to their ``OPTIMIZER_*`` variables (only when set, so an empty input
never hides a variable the workflow set itself); the Action's own inputs (``command``,
``cid``) are taken out. A bad value raises :class:`InputError`, which names the input.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from agentic_action.action.events import COMMANDS, ActionCommand
from agentic_action.errors import BadInput
from agentic_action.settings import INPUT_PREFIX, SettingsError, load_settings

ACTION_INPUTS = ("command", "cid", "push")  # read here, never passed to the settings model
PASS_THROUGH = {
    "github-token": "OPTIMIZER_GITHUB_TOKEN",
    "llm-model": "OPTIMIZER_LLM_PROVIDER",
    "llm-fallback": "OPTIMIZER_LLM_FALLBACK",
    "budget-usd": "OPTIMIZER_LLM_BUDGET_USD",
    "priority": "OPTIMIZER_LLM_PRIORITY",
    "ipfs-api": "OPTIMIZER_IPFS_API",
}
SECRET_VARIABLES = ("OPTIMIZER_GITHUB_TOKEN", "GITHUB_TOKEN", "OPTIMIZER_LLM_API_KEY")
DEFAULT_OUT_NAME = "agentic-optimizer"  # under $RUNNER_TEMP


class InputError(BadInput):
    """An action input has a value we cannot use."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"input '{name}': {message}")
        self.input = name


@dataclass(frozen=True)
class ActionInputs:
    command: ActionCommand
    cid: str
    push: bool  # push the commit an approval or rollback makes
    env: dict[str, str]  # the environment the settings and the other modules read


def input_value(env: Mapping[str, str], name: str) -> str:
    """The value of input ``name`` (hyphenated) in either spelling; "" when unset."""
    upper = name.upper()
    for key in (INPUT_PREFIX + upper, INPUT_PREFIX + upper.replace("-", "_")):
        if env.get(key, "").strip():
            return env[key].strip()
    return ""


def read_inputs(env: Mapping[str, str]) -> ActionInputs:
    """Check every input we own and build the environment for the rest of the run."""
    given = input_value(env, "command").lower() or "auto"
    command = next((c for c in COMMANDS if c == given), None)
    if command is None:
        raise InputError("command", f"{given!r} is not allowed; use one of: {', '.join(COMMANDS)}")
    push = input_value(env, "push").lower() or "true"
    if push not in ("true", "false"):
        raise InputError("push", f"{push!r} is not allowed; use true or false")
    out = _without_action_inputs(env)
    workspace = Path(env.get("GITHUB_WORKSPACE") or os.getcwd())
    repo = input_value(env, "repo")
    _set_input(out, "REPO", str(workspace / repo) if repo else str(workspace))
    if not input_value(env, "out"):
        temp = env.get("RUNNER_TEMP", "")
        if temp:
            _set_input(out, "OUT", str(Path(temp) / DEFAULT_OUT_NAME))
    else:
        _set_input(out, "OUT", str(workspace / input_value(env, "out")))
    for name, variable in PASS_THROUGH.items():
        value = input_value(env, name)
        if value:
            _check_pass_through(name, value)
            out[variable] = value
        for key in _spellings(name):
            out.pop(key, None)
    return ActionInputs(command, input_value(env, "cid"), push == "true", out)


def check_settings_inputs(env: Mapping[str, str]) -> None:
    """Raise InputError for the first settings input whose value is invalid on its own."""
    for key, value in sorted(env.items()):
        if not key.startswith(INPUT_PREFIX) or not value.strip():
            continue
        name = key[len(INPUT_PREFIX) :].lower().replace("_", "-")
        if name in ("repo", "out"):
            continue
        try:
            load_settings({"repo": Path("/nonexistent/agentic-optimizer-probe")}, {key: value})
        except SettingsError as error:
            raise InputError(name, _first_problem(str(error))) from None


def secrets(env: Mapping[str, str]) -> list[str]:
    """The secret values this run handles (to be masked in the log)."""
    found = [env.get(name, "") for name in SECRET_VARIABLES]
    found += [input_value(env, "github-token")]
    return [value for value in dict.fromkeys(found) if value.strip()]


def _check_pass_through(name: str, value: str) -> None:
    checks: dict[str, Callable[[str], None]] = {
        "budget-usd": _check_llm("OPTIMIZER_LLM_BUDGET_USD"),
        "priority": _check_llm("OPTIMIZER_LLM_PRIORITY"),
        "ipfs-api": _check_ipfs,
    }
    check = checks.get(name)
    if check is None:
        return
    try:
        check(value)
    except ValueError as error:
        raise InputError(name, str(error)) from None


def _check_llm(variable: str) -> Callable[[str], None]:
    def check(value: str) -> None:
        from agentic_action.llm.config import LLMConfig

        LLMConfig.from_env({variable: value})

    return check


def _check_ipfs(value: str) -> None:
    from agentic_action.publish.ipfs import parse_multiaddr

    parse_multiaddr(value)


def _spellings(name: str) -> tuple[str, str]:
    upper = INPUT_PREFIX + name.upper()
    return upper, upper.replace("-", "_")


def _without_action_inputs(env: Mapping[str, str]) -> dict[str, str]:
    out = dict(env)
    for name in (*ACTION_INPUTS, "repo", "out"):
        for key in _spellings(name):
            out.pop(key, None)
    return out


def _set_input(env: dict[str, str], name: str, value: str) -> None:
    env[INPUT_PREFIX + name] = value


def _first_problem(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    problems = [line for line in lines if not line.startswith("invalid settings")]
    return problems[0] if problems else message
