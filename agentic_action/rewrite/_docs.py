"""Renders the rules table of docs/rules.md from RULES (a test keeps the file in sync).

Regenerate with: python -m agentic_action.rewrite._docs docs/rules.md
"""

from __future__ import annotations

import html
import sys
from collections.abc import Sequence
from pathlib import Path

from agentic_action.rewrite._registry import RULES
from agentic_action.rewrite._types import RuleInfo

START = "<!-- rules:start (generated from RULES; do not edit by hand) -->"
END = "<!-- rules:end -->"


def render_rules(rules: Sequence[RuleInfo] = RULES) -> str:
    lines = [
        START,
        "",
        "| id | title | precondition (the rule stays silent unless all of it holds) "
        "| before | after |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.id} | {_cell(r.title)} | {_cell(r.precondition)} "
        f"| {_code(r.example_before)} | {_code(r.example_after)} |"
        for r in rules
    ]
    return "\n".join([*lines, "", END])


def _cell(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    rows = []
    for row in text.splitlines():
        stripped = row.lstrip(" ")
        indent = "&nbsp;" * (len(row) - len(stripped))
        rows.append(indent + html.escape(stripped, quote=False).replace("|", "&#124;"))
    return "<code>" + "<br>".join(rows) + "</code>"


def with_rules(document: str) -> str:
    """`document` with the generated block between the markers replaced (or appended)."""
    if START in document and END in document:
        head, rest = document.split(START, 1)
        tail = rest.split(END, 1)[1]
        return head + render_rules() + tail
    return document.rstrip("\n") + "\n\n" + render_rules() + "\n"


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m agentic_action.rewrite._docs docs/rules.md", file=sys.stderr)
        return 2
    path = Path(argv[0])
    path.write_text(with_rules(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
