"""Every method without a model, without money, without a reachable server, and with answers
that must never be applied: the rules engine takes over and says so; bad answers are rejected
with their reason recorded, before any worktree is touched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAI, Reply
from methods_world import Project, fake_router, fenced

from agentic_action.methods.llm_base import MethodSettings
from agentic_action.methods.registry import get_method

METHODS = ("test-driven", "adversarial", "actor-critic", "chaos")
HAS_DUP_SIGNATURE = "def has_dup(values: list[int]) -> bool:"
GOOD_HAS_DUP = f"{HAS_DUP_SIGNATURE}\n    return len(set(values)) != len(values)\n"
OTHER_FILE_DIFF = """```diff
--- a/pkg/store.py
+++ b/pkg/store.py
@@ -1,2 +1,2 @@
-def save_lines(path, lines):
+def save_lines(path, lines, mode="w"):
```"""
DOTDOT_DIFF = """```diff
--- a/pkg/../../outside.py
+++ b/pkg/../../outside.py
@@ -1 +1 @@
-x = 1
+x = 2
```"""
ABSOLUTE_DIFF = """```diff
--- /etc/hosts
+++ /etc/hosts
@@ -1 +1 @@
-a
+b
```"""
BAD_ANSWERS: dict[str, str] = {
    "empty": "   ",
    "no-code": "You could use a set here; it would be faster.",
    "other-file": OTHER_FILE_DIFF,
    "unsafe-path": DOTDOT_DIFF,
    "unsafe-path-absolute": ABSOLUTE_DIFF,
    "signature-changed": fenced(
        "def has_dup(values: list[int], limit: int = 0) -> bool:\n    return bool(values)\n"
    ),
    "function-missing": fenced(
        "def has_duplicates(values):\n    return len(set(values)) != len(values)\n"
    ),
}


def _optimize(project: Project, method: Any, file: str, qualname: str) -> Any:
    return method.optimize(project.target(file, qualname), project.source(file), project.ctx)


@pytest.mark.parametrize("name", METHODS)
def test_without_a_model_each_method_falls_back_to_the_rules_engine(
    project: Project, name: str
) -> None:
    outcome = _optimize(project, get_method(name, router=None), "pkg/mod.py", "has_dup")
    assert outcome.note == (
        f"no model configured for {name}: fell back to the rules engine (no rule applies)"
    )
    assert outcome.data["fallback"] == "rules"
    assert outcome.attempts == [] and outcome.chosen is None


def test_the_fallback_proves_the_rules_engine_candidate_and_reports_it(project: Project) -> None:
    outcome = _optimize(project, get_method("adversarial", router=None), "pkg/mod.py", "evens")
    assert outcome.note == "no model configured for adversarial: fell back to the rules engine"
    [proof] = outcome.attempts
    assert proof.accepted and outcome.chosen is proof
    assert proof.candidate.method == "rules"
    assert "+    out = [v for v in values if v % 2 == 0]" in proof.forward_diff


@pytest.mark.parametrize("name", METHODS)
def test_a_zero_budget_makes_no_call_and_falls_back(
    project: Project, server: FakeOpenAI, state_dir: Path, name: str
) -> None:
    router = fake_router(server, state_dir, budget_usd=0.0)
    outcome = _optimize(project, get_method(name, router=router), "pkg/mod.py", "has_dup")
    assert server.chat_requests() == []
    assert outcome.note.startswith("LLM per-run budget is 0, no call made: fell back")
    assert outcome.data["fallback"] == "rules"
    assert outcome.data["llm"]["calls"] == 0


def test_an_unreachable_model_falls_back_with_the_reason(
    project: Project, server: FakeOpenAI
) -> None:
    server.script(Reply.error(500, "down for maintenance"))
    router = fake_router(server)
    outcome = _optimize(project, get_method("actor-critic", router=router), "pkg/mod.py", "has_dup")
    assert outcome.note.startswith("no model reachable (openai/fake-a: error (")
    assert "down for maintenance" in outcome.data["fallback_reason"]
    assert outcome.data["llm"]["failed"] == 1


def test_a_model_that_stops_answering_midway_keeps_the_attempts_and_falls_back(
    project: Project, server: FakeOpenAI
) -> None:
    server.script(Reply("Use a set."), Reply.error(503, "overloaded"))
    method = get_method("actor-critic", router=fake_router(server), config={"rounds": 3})
    outcome = _optimize(project, method, "pkg/mod.py", "has_dup")
    [rejected] = outcome.attempts
    assert rejected.verdict.checks[0].data["reason"] == "no-code"
    assert outcome.note.startswith("no model reachable (openai/fake-a: error (")
    assert outcome.note.endswith("fell back to the rules engine (no rule applies)")
    assert outcome.data["llm"]["calls"] == 1 and outcome.data["llm"]["failed"] == 1
    assert len(server.chat_requests()) == 2  # round 3 was never asked


@pytest.mark.parametrize("name", ("test-driven", "adversarial", "actor-critic"))
def test_unusable_answers_are_rejected_with_their_reason_and_never_applied(
    project: Project, server: FakeOpenAI, name: str
) -> None:
    if name == "test-driven":  # it asks for tests first: prose is no test module
        server.script(Reply("Tests are a good idea."))
    server.script(*(Reply(text) for text in BAD_ANSWERS.values()))
    settings = MethodSettings(candidates=len(BAD_ANSWERS), rounds=1)
    method = get_method(name, router=fake_router(server), config=settings)
    outcome = _optimize(project, method, "pkg/mod.py", "has_dup")
    assert outcome.chosen is None
    reasons = [p.verdict.checks[0].data["reason"] for p in outcome.attempts]
    expected = [key.removesuffix("-absolute") for key in BAD_ANSWERS]
    assert reasons == expected
    for proof in outcome.attempts:
        assert not proof.accepted
        assert [c.name for c in proof.verdict.checks] == ["answer"]  # no worktree, no test run
        assert proof.candidate.new_source == project.source("pkg/mod.py")  # nothing applied
        assert proof.forward_diff == ""
        assert proof.verdict.reason.startswith("answer from openai/fake-a rejected before the gate")
    if name == "test-driven":
        assert outcome.data["rejected_answers"][0]["reason"] == "no-code"


def test_a_no_change_answer_is_not_an_attempt(project: Project, server: FakeOpenAI) -> None:
    server.script(Reply("NO CHANGE"))
    method = get_method("actor-critic", router=fake_router(server), config={"rounds": 2})
    outcome = _optimize(project, method, "pkg/mod.py", "has_dup")
    assert outcome.attempts == [] and len(server.chat_requests()) == 1
    assert outcome.data["rejected_answers"][0]["reason"] == "unchanged"


def test_unknown_method_and_bad_settings_are_refused_at_the_door() -> None:
    with pytest.raises(ValueError, match="unknown method 'magic'; available: rules, test-driven"):
        get_method("magic", router=None)
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['candidate'\]"):
        get_method("chaos", router=None, config={"candidate": 3})
    with pytest.raises(ValueError, match="score weights"):
        get_method("adversarial", router=None, config={"weights": {"speed": -1}})
    with pytest.raises(ValueError, match="rounds=0: expected a whole number >= 1"):
        MethodSettings(rounds=0)


def test_a_good_answer_for_has_dup_parses(project: Project) -> None:
    """The answer the other tests build on is itself usable (guards the scripts above)."""
    from agentic_action.llm import ParsedCode, parse_candidate

    parsed = parse_candidate(
        fenced(GOOD_HAS_DUP), target_file="pkg/mod.py",
        original_source=project.source("pkg/mod.py"), qualname="has_dup",
    )  # fmt: skip
    assert isinstance(parsed, ParsedCode)
