"""An LLM method through the CLI: litellm talks real HTTP to the scripted local server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fake_openai import FakeOpenAI, Reply
from gitrepos import make_repo

SLOW = '''def count_known(words: list[str]) -> int:
    """How many of the words are in the known vocabulary."""
    known = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
             "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho"]
    count = 0
    for word in words:
        if word in known:
            count += 1
    return count
'''
TESTS = """from vocab import count_known


def test_count_known():
    assert count_known(["alpha", "x", "rho", "pi", "zz"] * 200) == 600
    assert count_known([]) == 0
"""
FAST_ANSWER = '''Here is a faster version:

```python
_KNOWN = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
          "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho")
_KNOWN_SET = frozenset(_KNOWN)


def count_known(words: list[str]) -> int:
    """How many of the words are in the known vocabulary."""
    count = 0
    for word in words:
        if type(word) is str:  # an exact str: hash and == agree, the set answers as the list
            if word in _KNOWN_SET:
                count += 1
        elif word in _KNOWN:  # anything else (unhashable, own __eq__) compares one by one
            count += 1
    return count
```
'''


def _optimize(repo: Path, out: Path, server: FakeOpenAI) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPTIMIZER_", "GITHUB_"))}
    env |= {
        "OPTIMIZER_LLM_PROVIDER": "openai/fake-model",
        "OPTIMIZER_LLM_API_BASE": server.url,
        "OPTIMIZER_LLM_API_KEY": "sk-test-secret-key",
        "OPTIMIZER_LLM_PRIORITY": "low",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    }
    return subprocess.run(
        [sys.executable, "-m", "agentic_action", "optimize", "--repo", str(repo),
         "--targets", "vocab.py", "--method", "actor-critic", "--mode", "patch",
         "--out", str(out), "--benchmark-seconds", "1.5"],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )  # fmt: skip


def test_llm_candidate_is_proven_faster_and_a_rerun_costs_no_tokens(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"vocab.py": SLOW, "test_vocab.py": TESTS})
    review = json.dumps({"correctness": 9, "performance": 9, "style": 9, "summary": "good"})
    with FakeOpenAI(default=Reply(FAST_ANSWER)) as server:
        server.script(Reply(FAST_ANSWER), Reply(review), Reply(FAST_ANSWER), Reply(review))
        done = _optimize(repo, tmp_path / "out", server)
        assert done.returncode == 0, done.stderr
        report = json.loads((tmp_path / "out" / "report.json").read_text())
        accepted = [r for r in report["results"] if r["status"] == "accepted"]
        assert len(accepted) == 1, [r["reason"] for r in report["results"]]
        result = accepted[0]
        assert result["method"] == "actor-critic"
        assert result["speed"]["ci_low"] > 1.05
        assert "behaviour" in [c["name"] for c in result["checks"]]
        assert report["llm"]["run"]["calls"] >= 1
        calls = len(server.chat_requests())
        assert calls >= 1

        again = _optimize(repo, tmp_path / "out", server)
        assert again.returncode == 0, again.stderr
        assert len(server.chat_requests()) == calls  # every answer came from the cache
        rerun = json.loads((tmp_path / "out" / "report.json").read_text())
        assert rerun["llm"]["run"]["calls"] == 0
        assert rerun["llm"]["run"]["prompt_tokens"] == 0


def test_llm_method_without_a_model_falls_back_to_rules_and_says_so(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"vocab.py": SLOW, "test_vocab.py": TESTS})
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPTIMIZER_")}
    done = subprocess.run(
        [sys.executable, "-m", "agentic_action", "optimize", "--repo", str(repo),
         "--targets", "vocab.py", "--method", "adversarial", "--validation-level", "quick",
         "--out", str(tmp_path / "out")],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert any("no LLM model is configured" in note for note in report["notes"])


def test_a_model_litellm_does_not_know_is_refused_before_any_work(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"vocab.py": SLOW, "test_vocab.py": TESTS})
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPTIMIZER_")}
    env |= {"OPTIMIZER_LLM_PROVIDER": "not-a-real-model", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    done = subprocess.run(
        [sys.executable, "-m", "agentic_action", "optimize", "--repo", str(repo),
         "--targets", "vocab.py", "--method", "adversarial", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "OPTIMIZER_LLM_PROVIDER='not-a-real-model'" in done.stderr
    assert "baseline" not in done.stderr  # refused before the tests ran
    assert not (tmp_path / "out").exists()
