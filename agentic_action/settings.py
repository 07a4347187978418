"""The one configuration model and its sources.

Precedence, highest first (a value set in a higher source wins):

1. CLI flags (``agentic-optimizer optimize --max-agents 3``)
2. Action inputs, as the runner passes them (``INPUT_MAX-AGENTS`` / ``INPUT_MAX_AGENTS``)
3. ``OPTIMIZER_*`` environment variables (``OPTIMIZER_MAX_AGENTS``)
4. the ``[tool.agentic-optimizer]`` table of the target repository's ``pyproject.toml``
5. the defaults below

A bad value raises :class:`SettingsError` naming the setting, where it came from, the value and
what is allowed; nothing runs.

The GitHub and LLM configuration (``Settings.github``, ``Settings.llm``) have their own
variables (``GITHUB_*``/``OPTIMIZER_GITHUB_*``, ``OPTIMIZER_LLM_*`` and the
``[tool.agentic-optimizer.llm]`` table), read from the same environment by :func:`load_settings`,
once: nothing in a run reads ``os.environ`` for its configuration.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, InstanceOf, ValidationError, field_validator

from agentic_action.errors import BadInput
from agentic_action.llm.config import LLMConfig, LLMConfigError
from agentic_action.model import DEFAULT_OUT, LEDGER_FILE, PATCHES_DIR, MethodName
from agentic_action.publish.github.config import GitHubConfig, GitHubConfigError

Mode = Literal["auto", "github", "patch"]
ValidationLevel = Literal["quick", "standard", "thorough"]

CONFIG_TABLE = "agentic-optimizer"
STATE_DIR = "state"  # under ``out`` unless state_dir is set (see the Settings properties)


class SettingsError(BadInput):
    """A setting has a value we cannot use. The message says which, where from, and the fix."""


class Settings(BaseModel):
    """Everything a run needs to know. Each field documents its default and meaning."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    repo: Path = Field(Path("."), description="The git repository to optimize.")
    targets: list[str] = Field(
        default_factory=lambda: ["**/*.py"],
        min_length=1,
        description="Glob patterns, relative to the repository root, of files to optimize.",
    )
    method: MethodName = Field("rules", description="Optimizer method.")
    mode: Mode = Field(
        "auto", description="auto (GitHub when possible, else patch), github, patch."
    )
    out: Path = Field(DEFAULT_OUT, description="Output directory.")
    description: str = Field("", description="Free text for the report: what this run is for.")
    max_agents: int = Field(5, ge=1, le=64, description="Candidates validated in parallel.")
    validation_level: ValidationLevel = Field("standard", description="Which checks run.")
    worktree_base: Path | None = Field(
        None, description="Where worktrees are made (default: a folder in the system temp dir)."
    )
    patch_history_limit: int = Field(100, ge=1, description="Patches kept in the local store.")
    run_integration_tests: bool = Field(
        False, description="Also run tests marked `integration` (deselected by default)."
    )
    run_performance_tests: bool = Field(
        False, description="Also run tests marked `performance` (deselected by default)."
    )
    min_test_coverage: float = Field(
        80.0,
        ge=0,
        le=100,
        description="Minimum % of a function's lines that the repository's tests must execute "
        "before a candidate for it can be accepted.",
    )
    min_speedup: float = Field(
        0.05,
        ge=0,
        le=10,
        description="Minimum speedup to accept (0.05 = 5%; at least 10% for calls under 10 µs).",
    )
    benchmark_seconds: float = Field(
        3.0,
        gt=0,
        le=600,
        description="Most seconds of measuring per candidate (benchmark budget); clear cases "
        "stop at an earlier look.",
    )
    accept_slower_inputs: bool = Field(
        False,
        description="Accept a candidate that is faster overall but significantly slower on some "
        "recorded inputs (the evidence names them); by default it is rejected.",
    )
    differential_seconds: float = Field(
        2.0,
        gt=0,
        le=600,
        description="Per-call time bound for the differential inputs (original and candidate "
        "side by side on inputs built around the recorded ones): a candidate's call may take "
        "twice it, the original's at most it (100x its slowest recorded call, at least 0.1 s, "
        "when that is less; an input that takes the original longer is dropped).",
    )
    differential_inputs: int = Field(
        150, ge=0, le=5000, description="Differential inputs built per function (0: none)."
    )
    float_tolerance: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Relative tolerance when comparing floats in behaviour checks (0: exact).",
    )
    test_timeout: float = Field(900.0, gt=0, description="Seconds one test-suite run may take.")
    rules_tier: Literal["proven", "evidence"] = Field(
        "proven",
        description="Rules the rules engine may use: proven (each rewrite proven for every "
        "input) or evidence (also rewrites backed only by the gate's evidence; docs/rules.md).",
    )
    dry_run: bool = Field(
        False,
        description="Plan and propose only: report the candidates the rules would try (their "
        "rules and lines) and prove nothing; no worktree, no test run, no ledger entry.",
    )
    max_candidates: int = Field(0, ge=0, description="Stop after this many candidates (0: no cap).")
    python: str = Field(sys.executable, description="Python that runs the repository's code.")
    shard: str | None = Field(
        None, description="K/N: this job works on a stable 1/N share of the targets."
    )
    ledger: Path | None = Field(
        None, description="Run-history ledger (SQLite) file (default: OUT/ledger.sqlite)."
    )
    state_dir: Path | None = Field(
        None,
        description="Kept between runs (LLM response cache, spend, pattern history); "
        "default: OUT/state. Restore it with actions/cache for zero-token reruns.",
    )

    learning: bool = Field(
        True,
        description="Learn from the ledger's history and maintainers' verdicts (state/"
        "learning.json): estimates for every run; with method auto the selector also chooses "
        "the order of functions, the method, the model and the rule families per function.",
    )
    architecture_max_new_issues: int = Field(
        2,
        ge=0,
        le=50,
        description="GitHub mode: at most this many new architecture issues per run (existing "
        "ones are updated).",
    )

    ipfs_api: str | None = Field(
        None,
        description="IPFS node HTTP RPC multiaddr (e.g. /ip4/127.0.0.1/tcp/5001): patches are "
        "also pinned there and fetched back by CID.",
    )

    github: InstanceOf[GitHubConfig] | str = Field(
        default_factory=GitHubConfig,
        exclude=True,
        repr=False,
        description="GitHub mode's configuration, from the GITHUB_* and OPTIMIZER_GITHUB_* "
        "variables; a str says why they are unusable (auto mode then works in patch mode, "
        "github mode refuses to start).",
    )
    llm: InstanceOf[LLMConfig] | str = Field(
        default_factory=LLMConfig,
        exclude=True,
        repr=False,
        description="The LLM configuration, from the OPTIMIZER_LLM_* variables and the "
        f"[tool.{CONFIG_TABLE}.llm] table (model names are checked when an LLM method starts); "
        "a str says why it is unusable (an LLM method refuses to start).",
    )

    @property
    def state_path(self) -> Path:
        """Kept between runs: ``state_dir``, else ``OUT/state``."""
        return self.state_dir or self.out / STATE_DIR

    @property
    def ledger_path(self) -> Path:
        """The run-history ledger: ``ledger``, else ``OUT/ledger.sqlite``."""
        return self.ledger or self.out / LEDGER_FILE

    @property
    def patches_path(self) -> Path:
        """The local patch store: ``OUT/patches``."""
        return self.out / PATCHES_DIR

    def updated(self, **changes: Any) -> Settings:
        """A copy with ``changes``, validated like any setting (GitHub and LLM config kept)."""
        return Settings.model_validate(
            self.model_dump() | {"github": self.github, "llm": self.llm} | changes
        )

    @field_validator("ipfs_api")
    @classmethod
    def _multiaddr(cls, value: str | None) -> str | None:
        if not value:
            return None
        from agentic_action.publish.ipfs import parse_multiaddr

        parse_multiaddr(value)
        return value

    @field_validator("shard")
    @classmethod
    def _shard_form(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from agentic_action.plan.shard import parse_shard

        return str(parse_shard(value))

    @field_validator("targets")
    @classmethod
    def _targets_not_blank(cls, value: list[str]) -> list[str]:
        cleaned = [t.strip() for t in value if t.strip()]
        if not cleaned:
            raise ValueError("at least one non-empty glob is required")
        for pattern in cleaned:
            if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
                raise ValueError(f"glob {pattern!r} must be relative to the repository root")
        return cleaned


# Read from their own variables by load_settings, never from a flag, input or the table.
CONFIG_FIELDS = frozenset({"github", "llm"})
SETTING_NAMES = tuple(f for f in Settings.model_fields if f not in CONFIG_FIELDS)
ENV_PREFIX = "OPTIMIZER_"
INPUT_PREFIX = "INPUT_"
# Action input names that differ from the field names.
INPUT_ALIASES: Mapping[str, str] = {"validation-level": "validation_level"}
LIST_FIELDS = frozenset({"targets"})
_IGNORED_INPUTS = frozenset(
    {
        "github-token", "llm-model", "llm-fallback", "budget-usd", "priority", "ipfs-api",
    }
)  # fmt: skip


def load_settings(
    cli: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Merge every source by precedence and validate once; read the GitHub and LLM
    configuration from ``env`` too (default: ``os.environ``)."""
    import os

    env = os.environ if env is None else env
    cli = {k: v for k, v in (cli or {}).items() if v is not None}
    layers: list[tuple[str, dict[str, Any]]] = [
        ("CLI flag", cli),
        ("action input", _from_inputs(env)),
        ("environment", _from_env(env)),
    ]
    repo = Path(_first("repo", layers) or ".")
    source = f"{repo / 'pyproject.toml'} at HEAD [tool.{CONFIG_TABLE}]"
    layers.append((source, _from_pyproject(repo)))
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for source, values in reversed(layers):
        for key, value in values.items():
            merged[key] = value
            origin[key] = source
    smuggled = sorted(CONFIG_FIELDS & merged.keys())
    if smuggled:
        raise SettingsError(
            f"unknown setting {smuggled[0]!r} (from {origin[smuggled[0]]}); known settings: "
            f"{', '.join(SETTING_NAMES)}"
        )
    merged["github"] = github_settings(env)
    merged["llm"] = llm_settings(env, repo)
    try:
        return Settings.model_validate(merged)
    except ValidationError as error:
        raise SettingsError(_explain(error, merged, origin)) from None


def github_settings(env: Mapping[str, str]) -> GitHubConfig | str:
    """GitHub mode's configuration in ``env``, or why it cannot be used."""
    try:
        return GitHubConfig.from_env(env)
    except GitHubConfigError as error:
        return str(error)


def llm_settings(env: Mapping[str, str], repo: Path) -> LLMConfig | str:
    """The LLM configuration in ``env`` and ``repo``'s pyproject table, or why it cannot be
    used. The model names are not looked up here (that loads litellm)."""
    try:
        return LLMConfig.from_env(env, tool_table(repo, "llm"), check_models=False)
    except LLMConfigError as error:
        return str(error)


def _first(key: str, layers: list[tuple[str, dict[str, Any]]]) -> Any:
    for _, values in layers:
        if key in values:
            return values[key]
    return None


def _field_for(name: str) -> str:
    name = name.strip().lower()
    return INPUT_ALIASES.get(name, name.replace("-", "_"))


def _from_inputs(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, raw in env.items():
        if not key.startswith(INPUT_PREFIX) or raw == "":
            continue
        name = key[len(INPUT_PREFIX) :].lower()
        if name in _IGNORED_INPUTS or name.replace("_", "-") in _IGNORED_INPUTS:
            continue
        values[_field_for(name)] = _split_list(raw) if _field_for(name) in LIST_FIELDS else raw
    return values


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in SETTING_NAMES:
        raw = env.get(ENV_PREFIX + field.upper())
        if raw is None or raw == "":
            continue
        values[field] = _split_list(raw) if field in LIST_FIELDS else raw
    return values


def _split_list(raw: str) -> list[str]:
    parts: list[str] = []
    for line in raw.replace(",", "\n").splitlines():
        parts.extend(p for p in line.split() if p)
    return parts


def pyproject_at_head(repo: Path) -> str | None:
    """The repository's pyproject.toml as committed at HEAD: the run optimizes HEAD's code, so
    its settings come from the same commit (uncommitted edits are ignored, like the code's).
    Outside a git checkout (refused later by the run), the file on disk."""
    done = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "-p", "HEAD:pyproject.toml"],
        capture_output=True,
        check=False,
    )
    if done.returncode == 0:
        return done.stdout.decode("utf-8")
    inside = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "-q", "HEAD"],
        capture_output=True,
        check=False,
    )
    path = repo / "pyproject.toml"
    if inside.returncode == 0 or not path.is_file():
        return None  # a commit without pyproject.toml
    return path.read_text(encoding="utf-8")


def _from_pyproject(repo: Path) -> dict[str, Any]:
    path = f"{repo / 'pyproject.toml'} (at HEAD)"
    try:
        text = pyproject_at_head(repo)
        if text is None:
            return {}
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path} is not valid TOML ({error}); fix or remove the file") from None
    table = data.get("tool", {}).get(CONFIG_TABLE, {})
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [tool.{CONFIG_TABLE}] must be a table")
    unknown = {
        k for k in table if _field_for(k) not in SETTING_NAMES and not isinstance(table[k], dict)
    }
    if unknown:
        raise SettingsError(
            f"{path}: unknown setting(s) in [tool.{CONFIG_TABLE}]: {', '.join(sorted(unknown))}. "
            f"Known settings: {', '.join(SETTING_NAMES)}"
        )
    # Only the settings this model owns; sub-tables (e.g. llm) belong to their own modules.
    return {_field_for(k): v for k, v in table.items() if not isinstance(v, dict)}


def tool_table(repo: Path, name: str) -> dict[str, Any]:
    """A sub-table of ``[tool.agentic-optimizer]`` (e.g. ``llm``), owned by its own module."""
    try:
        text = pyproject_at_head(repo)
        data = tomllib.loads(text) if text is not None else {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}  # load_settings has already refused such a file
    table = data.get("tool", {}).get(CONFIG_TABLE, {}).get(name, {})
    return dict(table) if isinstance(table, dict) else {}


def _allowed(field: str) -> str:
    info = Settings.model_fields[field]
    annotation = str(info.annotation)
    if "Literal" in annotation:
        return "one of: " + ", ".join(
            annotation.split("[", 1)[1].rstrip("]").replace("'", "").split(", ")
        )
    text = info.description or ""
    bounds = _bounds_text(info.metadata)
    return f"{text} The value must be {bounds}." if bounds else text


def _bounds_text(metadata: list[Any]) -> str:
    """Plain words for pydantic's bounds (``Ge(ge=1), Le(le=64)`` -> "between 1 and 64")."""
    found = {
        name: getattr(m, name)
        for m in metadata
        for name in ("ge", "gt", "le", "lt")
        if hasattr(m, name)
    }
    low = f"at least {found['ge']}" if "ge" in found else ""
    low = f"more than {found['gt']}" if "gt" in found else low
    high = f"at most {found['le']}" if "le" in found else ""
    high = f"less than {found['lt']}" if "lt" in found else high
    if "ge" in found and "le" in found:
        return f"between {found['ge']} and {found['le']}"
    return " and ".join(part for part in (low, high) if part)


def _explain(error: ValidationError, merged: Mapping[str, Any], origin: Mapping[str, str]) -> str:
    lines = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else "?"
        if field not in SETTING_NAMES:
            lines.append(f"unknown setting {field!r}; known settings: {', '.join(SETTING_NAMES)}")
            continue
        where = origin.get(field, "default")
        value = merged.get(field, "<missing>")
        lines.append(
            f"setting '{field}' (from {where}) has value {value!r}: {problem['msg']}. "
            f"Allowed: {_allowed(field)}"
        )
    return "invalid settings:\n  " + "\n  ".join(lines)
