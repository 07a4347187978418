"""A run takes its GitHub and LLM configuration from its Settings, never from os.environ.

The settings are loaded from an explicit environment (a token for the local GitHub server, a
model on the local OpenAI-compatible server); then os.environ is made to say something else
(no repository, a rejected token, a model litellm does not know). A run that read os.environ
mid-run would fall back to patch mode, or refuse the model.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fake_github import FakeGitHub
from fake_openai import FakeOpenAI, Reply
from gitrepos import make_repo

from agentic_action.run import run
from agentic_action.settings import load_settings

SLOW = '''def count_known(words: list[str]) -> int:
    """How many of the words are in the known vocabulary."""
    known = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    count = 0
    for word in words:
        if word in known:
            count += 1
    return count
'''
TESTS = """from vocab import count_known


def test_count_known():
    assert count_known(["alpha", "x", "eta", "zz"] * 50) == 100
"""
TOKEN = "ghs_settings_token"
REPO = "octo/vocab"


def test_a_run_uses_the_settings_configuration_whatever_os_environ_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo", {"vocab.py": SLOW, "test_vocab.py": TESTS})
    with FakeGitHub() as github, FakeOpenAI(default=Reply("no code in this answer")) as llm:
        github.add_token(TOKEN)
        github.add_repo(REPO)
        env = {
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_API_URL": github.base_url,
            "OPTIMIZER_LLM_PROVIDER": "openai/fake-model",
            "OPTIMIZER_LLM_API_BASE": llm.url,
            "OPTIMIZER_LLM_API_KEY": "sk-test-key",
            "OPTIMIZER_LLM_PRIORITY": "low",
        }
        flags = {
            "repo": repo, "targets": ["vocab.py"], "method": "adversarial", "mode": "auto",
            "out": tmp_path / "out", "validation_level": "quick",
            "worktree_base": tmp_path / "wt",
        }  # fmt: skip
        settings = load_settings(flags, env)

        for key in list(os.environ):
            if key.startswith(("GITHUB_", "OPTIMIZER_")) and key != "OPTIMIZER_SANDBOX":
                monkeypatch.delenv(key)
        monkeypatch.setenv("GITHUB_TOKEN", "ghs_rejected_token")
        monkeypatch.setenv("OPTIMIZER_GITHUB_API_URL", "http://127.0.0.1:9/unreachable")
        monkeypatch.setenv("OPTIMIZER_LLM_PROVIDER", "not-a-real-model")
        monkeypatch.setenv("OPTIMIZER_LLM_API_BASE", "http://127.0.0.1:9/v1")

        report = run(settings)

    assert report.mode_used == "github", report.mode_reason
    assert report.github["repository"] == REPO
    assert any(c.token == TOKEN for c in github.calls()), "the settings' token reached GitHub"
    assert report.router is not None, report.notes
    assert llm.chat_requests(), "the settings' model and server were asked"
    assert report.functions_examined == 1
