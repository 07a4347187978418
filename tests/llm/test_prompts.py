"""Prompt templates: every method's file renders with the function, its context and examples."""

from __future__ import annotations

from typing import Any

import pytest

from agentic_action.llm.prompts import (
    TEMPLATES,
    PatternExample,
    fenced,
    module_name,
    prompt_target,
    render_prompt,
)

SOURCE = '''"""Tools."""

import functools


@functools.lru_cache(maxsize=None)
def dedupe(items: tuple[int, ...]) -> list[int]:
    """Keep the first of each, in order. ```not a fence```"""
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out
'''

REQUIRED: dict[str, Any] = {
    "tests": "def test_x():\n    assert dedupe(()) == []\n",
    "candidate_source": "def dedupe(items):\n    return list(dict.fromkeys(items))\n",
    "fault": "OSError(ENOSPC) from write()",
    "failure": "Traceback (most recent call last): ...",
}


def render(name: str, **extra: Any) -> list[dict[str, str]]:
    target = prompt_target("src/tools/core.py", SOURCE, "dedupe")
    spec = TEMPLATES[name]
    values = {key: REQUIRED[key] for key in spec.required}
    return render_prompt(name, target, **{**values, **extra})


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_renders_the_function_and_its_context(name: str) -> None:
    system, user = render(name)
    assert system["role"] == "system" and system["content"].strip()
    assert user["role"] == "user"
    assert "`dedupe` in `src/tools/core.py`" in user["content"]
    assert "    for item in items:\n        if item not in out:" in user["content"]
    assert '"""Tools."""' in user["content"]  # the file context
    assert "{{" not in user["content"] and "{%" not in user["content"]


def test_examples_of_accepted_and_rejected_patterns_are_offered() -> None:
    examples = [
        PatternExample(True, "dict.fromkeys keeps order", "3.1x faster", "-a\n+b"),
        PatternExample(False, "set() loses order", "changed the result for (2, 1)"),
    ]
    target = prompt_target("src/tools/core.py", SOURCE, "dedupe")
    user = render_prompt("actor-critic:actor", target, examples=examples)[1]["content"]
    assert "- ACCEPTED: dict.fromkeys keeps order — 3.1x faster" in user
    assert "```diff\n-a\n+b\n```" in user
    assert "- REJECTED: set() loses order — changed the result for (2, 1)" in user


def test_actor_prompt_carries_the_critique_of_the_previous_round() -> None:
    user = render(
        "actor-critic:actor",
        previous_source="def dedupe(items):\n    return list(set(items))\n",
        critique="correctness 2/10: order is lost",
        round=2,
    )[1]["content"]
    assert "Your previous attempt (round 1)" in user
    assert "correctness 2/10: order is lost" in user


def test_test_driven_prompt_names_the_module_to_import() -> None:
    assert "import it from its module (`tools.core`)" in render("test-driven:tests")[1]["content"]


def test_generated_tests_are_shown_to_the_code_prompt() -> None:
    assert "assert dedupe(()) == []" in render("test-driven:code")[1]["content"]


def test_missing_or_unknown_values_are_bad_input() -> None:
    target = prompt_target("src/tools/core.py", SOURCE, "dedupe")
    with pytest.raises(ValueError, match=r"missing \['fault', 'failure'\]"):
        render_prompt("chaos", target)
    with pytest.raises(ValueError, match=r"unknown \['critque'\]"):
        render_prompt("actor-critic:actor", target, critque="typo")
    with pytest.raises(ValueError, match="prompt 'rules': unknown"):
        render_prompt("rules", target)


def test_fence_is_longer_than_any_backtick_run_in_the_code() -> None:
    assert fenced("x = '```'", "python") == "````python\nx = '```'\n````"
    assert fenced("plain") == "```\nplain\n```"


def test_target_includes_decorators_and_module_name_follows_src_layout() -> None:
    target = prompt_target("src/tools/core.py", SOURCE, "dedupe")
    assert target.function_source.startswith("@functools.lru_cache(maxsize=None)\ndef dedupe")
    assert target.module == "tools.core"
    assert module_name("pkg/__init__.py") == "pkg"


def test_big_file_context_is_cut_around_the_function() -> None:
    filler = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(400))
    source = SOURCE + "\n\n" + filler
    target = prompt_target("big.py", source, "f200", max_context_chars=2000)
    assert len(target.file_context) < 2200
    assert "def f200():" in target.file_context
    assert '"""Tools."""' in target.file_context  # the head stays
    assert "lines omitted)" in target.file_context


def test_unknown_function_is_bad_input() -> None:
    with pytest.raises(ValueError, match="qualname='nope'"):
        prompt_target("x.py", SOURCE, "nope")
