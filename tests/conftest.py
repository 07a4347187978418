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
