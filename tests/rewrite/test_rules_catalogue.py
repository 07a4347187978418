"""RULES: complete metadata, documented in docs/rules.md, and every example really rewrites."""

from __future__ import annotations

import ast
import builtins
import textwrap
from pathlib import Path

import pytest
from rewrite_support import rewrite

from agentic_action.rewrite import RULES, RuleInfo
from agentic_action.rewrite._docs import render_rules, with_rules
from agentic_action.rewrite._registry import OWN_RULES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_at_least_ten_own_rules_with_unique_ids_and_full_metadata() -> None:
    own = [r for r in RULES if r.id.startswith("AO")]
    assert len(own) >= 10
    assert len({r.id for r in RULES}) == len(RULES)
    for info in RULES:
        assert info.title and info.precondition and info.example_before and info.example_after
        assert info.example_before != info.example_after
    for rule in OWN_RULES:
        assert rule.__doc__ and rule.__doc__.startswith(rule.info.id)


def test_docs_rules_md_holds_the_generated_table() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert render_rules() in text
    assert with_rules(text) == text


@pytest.mark.parametrize("info", RULES, ids=lambda i: i.id)
def test_each_documented_example_is_what_the_rule_does(info: RuleInfo) -> None:
    before, after = _as_function(info.example_before), _as_function(info.example_after)
    outcome = rewrite(before, "f", only=[info.id])
    assert outcome.new_source == after
    assert {e.rule for e in outcome.edits} == {info.id}


def _as_function(snippet: str) -> str:
    """Wrap a snippet in `def f(<its free names>):`, importing re/hashlib when it uses them."""
    tree = ast.parse(snippet)
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not _is_load(n)}
    free = sorted(
        {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and _is_load(n)}
        - stored
        - set(dir(builtins))
        - {"re", "hashlib"}
    )
    imports = "".join(f"import {m}\n\n" for m in ("re", "hashlib") if f"{m}." in snippet)
    return f"{imports}def f({', '.join(free)}):\n{textwrap.indent(snippet, '    ')}\n"


def _is_load(node: ast.Name) -> bool:
    return isinstance(node.ctx, ast.Load)
