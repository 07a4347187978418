"""Names and markers that make GitHub writes idempotent, and neutralizing of untrusted text.

Every issue and PR we open starts with ``<!-- agentic-optimizer:change=<slug> cid=<cid> -->``
on its first line; only the first line is read, so a marker quoted later in a body (say, in an
LLM's rationale) cannot impersonate one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from agentic_action.model import FunctionTarget

BRANCH_PREFIX = "agentic-optimizer/"
DASHBOARD_MARKER = "<!-- agentic-optimizer:dashboard -->"
_MARKER = re.compile(r"^<!-- agentic-optimizer:change=([a-z0-9-]+) cid=([A-Za-z0-9]+) -->")
_SLUG_TEXT = 60
MAX_BODY = 65_000  # GitHub refuses bodies over 65,536 characters


@dataclass(frozen=True)
class Marker:
    slug: str
    cid: str

    def render(self) -> str:
        return f"<!-- agentic-optimizer:change={self.slug} cid={self.cid} -->"


def target_slug(target: FunctionTarget) -> str:
    """A readable, unique, branch-safe name for a function: ``<file>-<qualname>-<8 hex>``.

    The hash of ``file::qualname`` keeps two targets whose readable parts collide
    (``a/b_c.py`` vs ``a/b-c.py``) apart.
    """
    readable = re.sub(r"[^a-z0-9]+", "-", f"{target.file}-{target.qualname}".lower()).strip("-")
    readable = readable[:_SLUG_TEXT].strip("-") or "target"
    digest = hashlib.sha256(target.key.encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{digest}"


def branch_name(slug: str) -> str:
    return BRANCH_PREFIX + slug


def parse_marker(body: str | None) -> Marker | None:
    """The change marker on the first line of ``body``, if any."""
    if not body:
        return None
    found = _MARKER.match(body.lstrip("\ufeff").split("\n", 1)[0].strip())
    return Marker(found.group(1), found.group(2)) if found else None


def is_dashboard(body: str | None) -> bool:
    return bool(body) and (body or "").split("\n", 1)[0].strip() == DASHBOARD_MARKER


def neutral(text: str) -> str:
    """Untrusted text made inert in markdown: no HTML (so no fake markers), no @-mentions
    that would ping people, no ``#123`` references that a merge could close."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"#(?=\d)", "#&#8203;", text)  # before "@": its entity has a "#8"
    return re.sub(r"@(?=[A-Za-z0-9])", "@&#8203;", text)


def one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return neutral(flat if len(flat) <= limit else flat[: limit - 1] + "…")


def fenced(text: str, info: str = "") -> str:
    """``text`` in a code fence longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text.rstrip()}\n{fence}"


def cap(body: str) -> str:
    """Keep a body under GitHub's limit, saying so when it was cut."""
    if len(body) <= MAX_BODY:
        return body
    note = "\n\n_(cut to fit GitHub's body limit; the full patch is in the run's patch store)_\n"
    return body[: MAX_BODY - len(note)] + note
