"""The Action's door: read the event and the inputs, do what they ask, report it the runner's way.

Exit codes: 0 the request was handled — a run that improved nothing, a skipped event and a
refused ``/approve`` comment (answered in the thread) included; 1 the run failed, or a
``workflow_dispatch`` approve/rollback could not be carried out; 2 bad input (an invalid
input, named in an ``::error`` annotation; an event type the optimizer does not handle).
"""

from __future__ import annotations

import json
import logging
import os
import signal
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from agentic_action.action.events import (
    DEFAULT_BOT_LOGIN,
    ArchitectureRequest,
    EventPayloadError,
    OptimizeRequest,
    Request,
    Skip,
    UnsupportedEventError,
    parse_event,
)
from agentic_action.action.inputs import (
    ActionInputs,
    InputError,
    check_settings_inputs,
    input_value,
    read_inputs,
    secrets,
)
from agentic_action.action.workflow_commands import Commands, append_summary, write_outputs
from agentic_action.approve.github_port import GitHubPort, RestGitHub
from agentic_action.approve.request import ChangeRequest
from agentic_action.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK
from agentic_action.publish.github.config import GitHubConfigError
from agentic_action.sandbox.policy import IsolationRefused
from agentic_action.settings import SettingsError, load_settings
from agentic_action.workspace import RepositoryError

if TYPE_CHECKING:
    from agentic_action.approve.outcome import ChangeOutcome

BOT_LOGIN_VARIABLE = "OPTIMIZER_BOT_LOGIN"
log = logging.getLogger("agentic_action")


def main(env: Mapping[str, str] | None = None, stream: TextIO | None = None) -> int:
    environ = dict(os.environ if env is None else env)
    commands = Commands(stream)
    _log_to(commands)
    for secret in secrets(environ):
        commands.mask(secret)
    try:
        inputs = read_inputs(environ)
        check_settings_inputs(inputs.env)
        request = _request(environ, inputs)
        return _handle(request, inputs, commands)
    except InputError as error:
        return _bad_input(commands, str(error), f"Invalid input {error.input}")
    except UnsupportedEventError as error:
        return _bad_input(commands, str(error), "agentic-optimizer: unsupported event")
    except (SettingsError, GitHubConfigError) as error:
        return _bad_input(commands, str(error), "agentic-optimizer: invalid settings")
    except RepositoryError as error:
        hint = "" if input_value(environ, "repo") else " (did the job run actions/checkout?)"
        return _bad_input(commands, f"{error}{hint}", "Invalid input repo")
    except EventPayloadError as error:
        return _bad_input(commands, str(error), "agentic-optimizer: bad event payload")
    except IsolationRefused as error:
        return _bad_input(commands, str(error), "agentic-optimizer: candidates cannot be isolated")
    except Exception as error:
        log.exception("the run failed")
        commands.error(f"{type(error).__name__}: {error}", title="agentic-optimizer failed")
        return EXIT_FAILED


def _request(env: Mapping[str, str], inputs: ActionInputs) -> Request:
    name = env.get("GITHUB_EVENT_NAME", "")
    if not name:
        raise UnsupportedEventError(
            "GITHUB_EVENT_NAME is not set: entrypoint.py runs inside GitHub Actions; "
            "elsewhere use the agentic-optimizer command"
        )
    return parse_event(
        name,
        _payload(env.get("GITHUB_EVENT_PATH", "")),
        command=inputs.command,
        cid=inputs.cid,
        actor=env.get("GITHUB_ACTOR", ""),
        bot_login=env.get(BOT_LOGIN_VARIABLE) or DEFAULT_BOT_LOGIN,
    )


def _payload(path: str) -> dict[str, Any]:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise EventPayloadError(
            f"cannot read the event payload GITHUB_EVENT_PATH={path}: {error}"
        ) from None
    if not isinstance(data, dict):
        raise EventPayloadError(f"the event payload at {path} is not a JSON object")
    return data


def _handle(request: Request, inputs: ActionInputs, commands: Commands) -> int:
    for note in getattr(request, "notes", ()):
        commands.warning(note, title="agentic-optimizer")
    if isinstance(request, Skip):
        return _skip(request, inputs, commands)
    if isinstance(request, OptimizeRequest):
        return _optimize(request, inputs, commands)
    if isinstance(request, ArchitectureRequest):
        from agentic_action.action.architecture_flow import run_architecture_step

        return run_architecture_step(inputs.env, commands)
    return _change(request, inputs, commands)


def _skip(request: Skip, inputs: ActionInputs, commands: Commands) -> int:
    commands.echo(f"agentic-optimizer: nothing to do: {request.reason}")
    write_outputs({"command": "none", "outcome": "skipped", "reason": request.reason}, inputs.env)
    append_summary(f"## agentic-optimizer: skipped\n\n{request.reason}\n", inputs.env)
    return EXIT_OK


def _optimize(request: OptimizeRequest, inputs: ActionInputs, commands: Commands) -> int:
    from agentic_action.action import optimize_flow  # the run's modules load only when needed

    settings = optimize_flow.optimize_settings(request, inputs.env)
    outcome = optimize_flow.run_optimize(settings, commands)  # settings carry GitHub and LLM
    optimize_flow.append_request_summary(request, outcome, inputs.env)
    for annotation in optimize_flow.findings(outcome):
        commands.annotate(annotation)
    write_outputs(optimize_flow.outputs(outcome), inputs.env)
    commands.echo(outcome.console_line)
    if outcome.report.cancelled:
        commands.error(f"cancelled by {outcome.report.cancelled}", title="agentic-optimizer")
        return 128 + signal.Signals[outcome.report.cancelled].value
    if outcome.report.failure:
        commands.error(outcome.report.failure, title="agentic-optimizer could not test anything")
        return EXIT_FAILED
    return EXIT_OK


def _change(request: ChangeRequest, inputs: ActionInputs, commands: Commands) -> int:
    from agentic_action.approve.approval import carry_out, reply_text

    env = inputs.env
    settings = load_settings({}, env)
    github = _github(env)
    with commands.group(f"agentic-optimizer: /{request.command} from @{request.actor}"):
        outcome = carry_out(
            request, settings, github,
            env=env, push_branch=_push_branch(inputs), bot_login=_bot(env),
            base_branch=_branch(env),
        )  # fmt: skip
    if github is not None and request.thread is not None:
        github.reply(request.thread.number, reply_text(request, outcome))
    append_summary(_change_summary(request, outcome), env)
    write_outputs(_change_outputs(outcome), env)
    if outcome.completed:
        commands.echo(
            f"agentic-optimizer: {request.command} {outcome.cid}: done ({outcome.commit})"
        )
        return EXIT_OK
    if outcome.changed:
        commands.error(
            f"{outcome.reason} ({outcome.changed})",
            title=f"agentic-optimizer could not finish /{request.command}",
        )
        return EXIT_FAILED
    if request.origin != "dispatch":
        commands.warning(outcome.reason, title=f"agentic-optimizer refused /{request.command}")
        return EXIT_OK
    if outcome.bad_input:
        return _bad_input(commands, outcome.reason, f"Invalid input {outcome.bad_input}")
    commands.error(outcome.reason, title=f"agentic-optimizer could not {request.command}")
    return EXIT_FAILED


def _github(env: Mapping[str, str]) -> GitHubPort | None:
    return RestGitHub.from_env(env)


def _push_branch(inputs: ActionInputs) -> str:
    return _branch(inputs.env) if inputs.push else ""


def _branch(env: Mapping[str, str]) -> str:
    """The branch the workflow ran on; "" for other refs (a pull request's merge ref)."""
    ref = env.get("GITHUB_REF", "")
    return ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else ""


def _bot(env: Mapping[str, str]) -> str:
    return env.get(BOT_LOGIN_VARIABLE) or DEFAULT_BOT_LOGIN


def _change_outputs(outcome: ChangeOutcome) -> dict[str, str]:
    return {
        "command": outcome.command,
        "outcome": "completed" if outcome.completed else "refused",
        "reason": "" if outcome.completed else outcome.reason,
        "applied-cid": outcome.cid if outcome.completed else "",
        "commit-sha": outcome.commit,
        "pr-urls": outcome.url,
    }


def _change_summary(request: ChangeRequest, outcome: ChangeOutcome) -> str:
    verdict = "done" if outcome.completed else "refused"
    lines = [
        f"## agentic-optimizer: /{request.command} {verdict}",
        "",
        f"- Asked by: @{request.actor} ({request.origin})",
        f"- Patch: `{outcome.cid or ' '.join(request.args)[:80] or '-'}`",
    ]
    if outcome.completed:
        lines += [f"- Files: {', '.join(f'`{f}`' for f in outcome.files)}"]
        lines += [f"- Commit: `{outcome.commit}`"]
        if outcome.url:
            lines += [f"- Pull request: {outcome.url}", f"- Done: {outcome.note}"]
        else:
            lines += [
                f"- Pushed to: `{outcome.pushed_to}`" if outcome.pushed_to else "- Not pushed"
            ]
        lines += [f"- Checked: {outcome.reason}"]
    else:
        lines += [f"- Why: {outcome.reason}"]
        lines += [f"- Changed: {outcome.changed}" if outcome.changed else "- Nothing was changed."]
    return "\n".join(lines) + "\n"


def _bad_input(commands: Commands, message: str, title: str) -> int:
    commands.error(message, title=title)
    return EXIT_BAD_INPUT


def _log_to(commands: Commands) -> None:
    root = logging.getLogger("agentic_action")
    if root.handlers:
        return
    handler = logging.StreamHandler(commands.stream)
    handler.setFormatter(logging.Formatter("[agentic-optimizer] %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False
