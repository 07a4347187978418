"""Shared fixtures. Test helpers live in tests/_support (on sys.path via pytest's pythonpath)."""

from __future__ import annotations

import os

# Never let anything under test reach the internet or a user's real configuration.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("SEMGREP_ENABLE_VERSION_CHECK", "0")
os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
os.environ.setdefault("GIT_AUTHOR_NAME", "Test Author")
os.environ.setdefault("GIT_AUTHOR_EMAIL", "author@example.invalid")
os.environ.setdefault("GIT_COMMITTER_NAME", "Test Author")
os.environ.setdefault("GIT_COMMITTER_EMAIL", "author@example.invalid")

# Fixtures shared by more than one test folder (each folder mirrors one package).
from action_fixtures import checkout, github, optimized  # noqa: F401
from history_fixtures import recorded_run, tiny_repo  # noqa: F401
from oracle_fixtures import candidate, recorded  # noqa: F401
