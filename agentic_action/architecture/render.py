"""The architecture section in words: for the summary (patch mode) and for issue bodies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MARKER_PREFIX = "<!-- agentic-optimizer:architecture="
MAX_EVIDENCE = 12


def marker(finding_id: str) -> str:
    return f"{MARKER_PREFIX}{finding_id} -->"


def parse_marker(body: str | None) -> str | None:
    """The finding id on the first line of an issue body, if it is one of ours."""
    first = (body or "").lstrip("\ufeff").split("\n", 1)[0].strip()
    if first.startswith(MARKER_PREFIX) and first.endswith(" -->"):
        return first[len(MARKER_PREFIX) : -len(" -->")]
    return None


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def markdown(section: Mapping[str, Any]) -> list[str]:
    """Summary lines for report.json's ``architecture`` section."""
    findings = section.get("findings") or []
    lines = [
        "",
        f"### Architecture: {len(findings)} design suggestion(s)",
        "",
        "The architecture agent proposes designs; it never writes patches.",
        "",
        "| Analysis | State | Findings | Seconds | Note |",
        "|---|---|---|---|---|",
    ]
    for a in section.get("analyses") or []:
        figures = f"{a['state']} | {a['findings']} | {a['seconds']:.2f}"
        lines.append(f"| {a['name']} | {figures} | {_cell(a['note'])} |")
    if not findings:
        lines += ["", "Nothing to suggest: every analysis that ran came back empty."]
    for finding in findings:
        lines += ["", f"**{_cell(finding['title'])}** (`{finding['kind']}`)", ""]
        lines += [finding["summary"], "", f"_Proposed shape:_ {finding['proposal']}"]
        lines += [f"- `{_where(e)}` {_cell(e['text'])[:120]}" for e in _evidence(finding)]
    for issue in section.get("issues") or []:
        lines.append(f"- Issue {issue.get('action')}: {issue.get('url') or issue.get('id')}")
    return lines


def _where(evidence: Mapping[str, Any]) -> str:
    line = int(evidence.get("line") or 0)
    return f"{evidence['file']}:{line}" if line else str(evidence["file"])


def _evidence(finding: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(finding.get("evidence") or [])[:MAX_EVIDENCE]


def issue_title(finding: Mapping[str, Any]) -> str:
    return f"Architecture: {finding['title']}"[:250]


def issue_body(finding: Mapping[str, Any], commit: str) -> str:
    figures = ", ".join(f"{k} {v}" for k, v in (finding.get("figures") or {}).items())
    lines = [
        marker(str(finding["id"])),
        "",
        f"**{finding['kind']}** at `{commit[:12]}`: {finding['summary']}",
        "",
        "### Proposed shape",
        "",
        str(finding["proposal"]),
        "",
        "### Evidence",
        "",
        *(f"- `{_where(e)}` {_cell(e['text'])[:160]}" for e in _evidence(finding)),
        "",
        f"Figures: {figures or 'none'}.",
        "",
        "_This is a design suggestion from agentic-optimizer's architecture agent: no patch "
        "comes with it. Close the issue to dismiss it; it will not be reopened._",
    ]
    return "\n".join(lines)
