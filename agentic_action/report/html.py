"""The HTML dashboard: one self-contained page (inline CSS, JS and SVG; nothing fetched).

``render_dashboard(data)`` turns the dict of :mod:`agentic_action.report.ledger_view` into the
page: agents and their status, the patch pipeline (proposed → proven → published → approved /
rolled back), speedups with their confidence intervals, LLM spend and GitHub API use over time,
conflicts, runs and recent events. Every figure is written into the markup (the charts are
server-side SVG), so the page reads the same with scripts off; the script only sorts and
filters tables and marks the page ready (``#dashboard-ready``). A Content-Security-Policy
forbids any network access from the page. The data is embedded as JSON
(``#dashboard-data``) for anyone who wants to read it back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from agentic_action import __version__
from agentic_action.fileutil import atomic_write
from agentic_action.report import charts

ASSETS = Path(__file__).with_name("html")
STAGE_LABELS = {
    "proposed": "proposed",
    "proven": "proven",
    "published": "published",
    "approved": "approved",
    "rolled_back": "rolled back",
}
STAGE_HELP = (
    "<p><b>proposed</b>: candidates checked (every result, reruns included); <b>proven</b>: "
    "distinct patches that passed every check; <b>published</b>: written to the patch store "
    "or opened as a draft PR; <b>approved</b>: applied by a human (<code>apply</code>, "
    "<code>/approve</code>); <b>rolled back</b>: reverted after that.</p>"
)


class Raw(str):
    """Markup that is already safe (built here from escaped parts)."""


def write_dashboard(data: Mapping[str, Any], path: Path) -> Path:
    """Write the page to ``path`` (atomically)."""
    atomic_write(path, render_dashboard(data))
    return path


def render_dashboard(data: Mapping[str, Any]) -> str:
    source = data.get("source") or {}
    title = "agentic-optimizer dashboard"
    parts = {
        "version": escape(__version__),
        "title": escape(title),
        "style": (ASSETS / "dashboard.css").read_text(encoding="utf-8"),
        "script": (ASSETS / "dashboard.js").read_text(encoding="utf-8"),
        "data": _json_for_script(data),
        "body": "\n".join(
            [
                _header(title, data, source),
                _cards(data),
                "<main>",
                _agents(data.get("agents") or []),
                _pipeline(data.get("pipeline") or {}, data.get("patches") or []),
                _speedups(data.get("speedups") or []),
                _spend(data.get("spend") or []),
                _api(data.get("api") or []),
                _conflicts(data.get("conflicts") or []),
                _learning(data.get("learning")),
                _latest(data.get("latest_report")),
                _runs(data.get("runs") or []),
                _events(data.get("events") or []),
                "</main>",
                f"<footer>agentic-optimizer {escape(__version__)} · data embedded as JSON in "
                "<code>#dashboard-data</code> · docs/dashboard.md explains every figure</footer>",
            ]
        ),
    }
    skeleton = (ASSETS / "dashboard.html").read_text(encoding="utf-8")
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m.group(1)], skeleton)


# --- sections -----------------------------------------------------------------------------
def _header(title: str, data: Mapping[str, Any], source: Mapping[str, Any]) -> str:
    where = [f"ledger <code>{escape(str(source['ledger']))}</code>"] if source.get("ledger") else []
    if source.get("report"):
        where.append(f"report <code>{escape(str(source['report']))}</code>")
    return (
        f"<header><h1>{escape(title)}</h1><p>Generated {_time(data.get('generated_at'))} "
        f"from {' and '.join(where) or 'no data'}.</p></header>"
    )


def _cards(data: Mapping[str, Any]) -> str:
    stats = data.get("stats") or {}
    results = stats.get("results") or {}
    api = stats.get("api") or {}
    median = stats.get("median_speedup")
    open_conflicts = (stats.get("conflicts") or {}).get("open", 0)
    cards = [
        ("runs", _number(stats.get("runs", 0))),
        ("agents", _number(len(data.get("agents") or []))),
        ("accepted results", _number(results.get("accepted", 0))),
        ("median speedup", "–" if median is None else f"{median:.2f}x"),
        ("LLM spend", f"${float(stats.get('llm_cost_usd') or 0):.2f}"),
        ("GitHub API requests", _number(api.get("full_requests", api.get("full_reads", 0)))),
        ("open conflicts", _number(open_conflicts)),
    ]
    body = "".join(
        f'<div class="card" data-card="{escape(key)}"><div class="n">{escape(value)}</div>'
        f'<div class="k">{escape(key)}</div></div>'
        for key, value in cards
    )
    return f'<div class="cards">{body}</div>'


def _agents(agents: Sequence[Mapping[str, Any]]) -> str:
    rows = [
        [
            Raw(f"<code>{escape(a['name'])}</code>"),
            _badge(a["status"]),
            _num(len(a.get("run_ids") or [])),
            _counts(a.get("tasks") or {}),
            _counts(a.get("results") or {}),
            Raw(", ".join(f"<code>{escape(k)}</code>" for k in a.get("claimed") or []) or "–"),
            _time(a.get("last_seen")),
        ]
        for a in agents
    ]
    table = _table(
        "agents-table",
        ["agent", "status", "runs", "tasks", "results", "holding", "last seen"],
        rows,
    )
    body = table if rows else _empty("No agent has run yet.")
    return _section("agents", "Agents", body, wide=True)


def _pipeline(pipeline: Mapping[str, int], patches: Sequence[Mapping[str, Any]]) -> str:
    bars = [
        charts.Bar(STAGE_LABELS[stage], float(pipeline.get(stage, 0)), f"stage-{stage}")
        for stage in STAGE_LABELS
    ]
    chart = charts.hbars(bars, "Patch pipeline: proposed → proven → published → approved")
    rows = [
        [
            Raw(f'<code title="{escape(p["cid"])}">{escape(p["cid"][:16])}…</code>'),
            Raw(f"<code>{escape(p['target'])}</code>"),
            _badge(p["state"]),
            _speed(p.get("speedup"), p.get("ci_low"), p.get("ci_high")),
            p.get("destination") or "none",
            _time(p.get("state_at")),
        ]
        for p in patches
    ]
    table = _filtered(
        "patches-table", ["patch CID", "target", "state", "speedup", "destination", "since"], rows
    )
    body = chart + STAGE_HELP + (table if rows else "")
    return _section("pipeline", "Patch pipeline", body, wide=True)


def _speedups(rows: Sequence[Mapping[str, Any]]) -> str:
    marks = [
        charts.Interval(
            label=str(r["target"]),
            value=float(r["speedup"]),
            low=float(r["ci_low"] if r["ci_low"] is not None else r["speedup"]),
            high=float(r["ci_high"] if r["ci_high"] is not None else r["speedup"]),
            css="ci" + _speed_css(r),
        )
        for r in rows
    ]
    if not marks:
        text = "No measured speedups yet (validation level quick measures none)."
        return _section("speedups", "Speedups (95% confidence intervals)", _empty(text))
    chart = charts.intervals(marks, "Speedup of each measured change, with its 95% CI")
    note = (
        "<p>Median ratio of paired CPU-time samples (original ÷ candidate); whiskers show the "
        "95% confidence interval; grey marks are not significant, orange ones were rejected.</p>"
    )
    return _section("speedups", "Speedups (95% confidence intervals)", chart + note, wide=True)


def _spend(days: Sequence[Mapping[str, Any]]) -> str:
    if not days:
        return _section("spend", "LLM spend over time", _empty("No LLM spend recorded."))
    labels = [str(d["day"]) for d in days]
    costs = [float(d["cost_usd"]) for d in days]
    chart = charts.columns(labels, [("USD per day", "spend", costs)], "LLM spend per day (USD)")
    tokens = sum(int(d["prompt_tokens"]) + int(d["completion_tokens"]) for d in days)
    text = f"<p>Total ${sum(costs):.4f} over {len(days)} day(s), {tokens:,} tokens.</p>"
    return _section("spend", "LLM spend over time", chart + text)


def _api(rows: Sequence[Mapping[str, Any]]) -> str:
    if not rows:
        return _section("api", "GitHub API usage", _empty("No GitHub API use recorded."))
    labels = [datetime.fromtimestamp(float(r["at"]), UTC).strftime("%m-%d %H:%M") for r in rows]
    series = [
        ("full requests", "api-full", [float(r["full_requests"]) for r in rows]),
        ("304 not modified", "api-304", [float(r["not_modified"]) for r in rows]),
        ("cache hits", "api-cache", [float(r["cache_hits"]) for r in rows]),
        ("writes", "api-writes", [float(r["writes"]) for r in rows]),
    ]
    chart = charts.columns(labels, series, "GitHub API requests per run")
    return _section("api", "GitHub API usage per run", chart)


def _conflicts(conflicts: Sequence[Mapping[str, Any]]) -> str:
    if not conflicts:
        return _section("conflicts", "Conflicts", _empty("No conflicts between patches."))
    counts: dict[str, int] = {}
    for conflict in conflicts:
        counts[conflict["status"]] = counts.get(conflict["status"], 0) + 1
    summary = " ".join(f"{_badge(s)} {n}" for s, n in sorted(counts.items()))
    rows = [
        [
            _num(c["id"]),
            _badge(c["status"]),
            Raw("<br>".join(f"<code>{escape(f)}</code>" for f in c.get("files") or [])),
            Raw("<br>".join(f"<code>{escape(p[:16])}…</code>" for p in c.get("patch_cids") or [])),
            c.get("resolution") or "",
            _time(c.get("updated_at")),
        ]
        for c in conflicts
    ]
    table = _table("conflicts-table", ["#", "status", "files", "patches", "resolution", "at"], rows)
    return _section("conflicts", "Conflicts", f"<p>{summary}</p>{table}")


def _learning(learning: Mapping[str, Any] | None) -> str:
    """The selector: success rate by task type over time, and its estimates against outcomes."""
    title = "Learning: success by task type, estimates against outcomes"
    if not learning:
        return _section("learning", title, _empty("No learning history yet."), wide=True)
    by_type = learning.get("by_task_type") or {}
    totals = {
        task: (sum(d["tried"] for d in days), sum(d["accepted"] for d in days))
        for task, days in by_type.items()
    }
    bars = [
        charts.Bar(task, 100.0 * k / n if n else 0.0, "stage-proven", f"{k}/{n}")
        for task, (n, k) in sorted(totals.items())
    ]
    rates = charts.hbars(bars, "Accepted changes per candidate, by task type (%)") if bars else ""
    over_time = _table(
        "learning-days",
        ["task type", "day", "tried", "accepted", "rate"],
        [
            [task, d["day"], d["tried"], d["accepted"], f"{d['rate']:.0%}"]
            for task, days in sorted(by_type.items())
            for d in days[-14:]
        ],
    )
    calibration = [c for c in learning.get("calibration") or [] if c.get("decisions")]
    pairs = [
        charts.Bar(f"{c['bin']} {name}", 100.0 * float(c[key]), css, f"{float(c[key]):.0%}")
        for c in calibration
        for name, key, css in (("estimated", "estimated", "spend"), ("observed", "observed",
                                                                        "stage-approved"))
    ]  # fmt: skip
    estimates = (
        charts.hbars(pairs, "The selector's estimated chance against the observed rate (%)")
        if pairs
        else _empty("No decision has an outcome yet.")
    )
    decisions = _table(
        "learning-decisions",
        ["function", "method", "model", "chance", "reason"],
        [
            [Raw(f"<code>{escape(d['function'])}</code>"), d["method"], d.get("model") or "—",
             f"{d['chance']:.0%}", d["reason"]]
            for d in (learning.get("decisions") or [])[:40]
        ],
    )  # fmt: skip
    body = rates + over_time + estimates + decisions
    return _section("learning", title, body, wide=True)


def _latest(latest: Mapping[str, Any] | None) -> str:
    if not latest:
        return ""
    totals = latest.get("totals") or {}
    facts = (
        f"<p><code>{escape(str(latest.get('repo', '')))}</code> at "
        f"<code>{escape(str(latest.get('base_commit', ''))[:12])}</code>, "
        f"{escape(str(latest.get('mode', '')))} mode, validation "
        f"{escape(str(latest.get('validation_level', '')))}: "
        f"{escape(_counts_text(totals))}.</p><p>{escape(str(latest.get('baseline', '')))}</p>"
    )
    notes = "".join(f"<li>{escape(str(n))}</li>" for n in latest.get("notes") or [])
    return _section("latest", "Latest run", facts + (f'<ul class="notes">{notes}</ul>'))


def _runs(runs: Sequence[Mapping[str, Any]]) -> str:
    rows = [
        [
            Raw(f"<code>{escape(str(r['id'])[:12])}</code>"),
            _badge(r["status"]),
            _time(r.get("started_at")),
            _duration(r.get("started_at"), r.get("finished_at")),
            Raw(f"<code>{escape(str(r.get('base_commit', ''))[:12])}</code>"),
            r.get("shard") or "–",
            _counts_text({k: v for k, v in (r.get("summary") or {}).items() if k in _TOTALS}),
        ]
        for r in runs
    ]
    table = _table(
        "runs-table", ["run", "status", "started", "took", "commit", "shard", "results"], rows
    )
    return _section("runs", "Runs", table if rows else _empty("No runs recorded."))


def _events(events: Sequence[Mapping[str, Any]]) -> str:
    rows = [
        [
            _num(e["id"]),
            _time(e.get("at")),
            Raw(f"<code>{escape(e['kind'])}</code>"),
            Raw(f"<code>{escape(str(e.get('subject') or ''))}</code>"),
            Raw(f'<span class="mono">{escape(_short_json(e.get("payload") or {}))}</span>'),
        ]
        for e in events
    ]
    table = _filtered("events-table", ["#", "at", "kind", "subject", "details"], rows)
    return _section("events", "Recent events", table if rows else _empty("No events."), wide=True)


# --- cells and blocks ---------------------------------------------------------------------
_TOTALS = ("accepted", "rejected", "error")


def _section(key: str, title: str, body: str, *, wide: bool = False) -> str:
    css = ' class="wide"' if wide else ""
    return f'<section id="{key}"{css}><h2>{escape(title)}</h2>{body}</section>'


def _empty(text: str) -> str:
    return f'<p class="empty">{escape(text)}</p>'


def _table(table_id: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(value) for value in row) + "</tr>" for row in rows)
    return (
        f'<div class="scroll"><table class="data" id="{table_id}"><thead><tr>{head}</tr>'
        f"</thead><tbody>{body}</tbody></table></div>"
    )


def _filtered(table_id: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    box = f'<input class="filter" type="search" placeholder="filter…" data-table="{table_id}">'
    return box + _table(table_id, headers, rows)


def _cell(value: Any) -> str:
    if isinstance(value, Raw):
        return f"<td>{value}</td>"
    if isinstance(value, tuple):  # (shown, sort key, css)
        shown, key, css = value
        return f'<td class="{css}" data-sort="{escape(str(key))}">{shown}</td>'
    return f"<td>{escape(str(value))}</td>"


def _num(value: Any) -> tuple[str, Any, str]:
    return (escape(_number(value)), value, "num")


def _badge(status: str) -> Raw:
    css = re.sub(r"[^a-z_]", "", str(status).lower())
    return Raw(f'<span class="badge {css}">{escape(str(status).replace("_", " "))}</span>')


def _speed(value: float | None, low: float | None, high: float | None) -> tuple[str, Any, str]:
    if value is None:
        return ("not measured", -1, "num")
    interval = "" if low is None or high is None else f" ({low:.2f}–{high:.2f})"
    return (escape(f"{value:.2f}x{interval}"), value, "num")


def _speed_css(row: Mapping[str, Any]) -> str:
    if row.get("status") not in (None, "accepted"):
        return " rejected"
    return " not-significant" if row.get("significant") is False else ""


def _time(at: Any) -> Raw:
    if not at:
        return Raw("–")
    moment = datetime.fromtimestamp(float(at), UTC)
    iso = moment.isoformat(timespec="seconds")
    return Raw(f'<time datetime="{iso}">{moment.strftime("%Y-%m-%d %H:%M")}Z</time>')


def _duration(start: Any, end: Any) -> str:
    if not start or not end:
        return "–"
    seconds = float(end) - float(start)
    return f"{seconds:.0f}s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _counts(counts: Mapping[str, int]) -> Raw:
    return Raw(" ".join(f"{_badge(k)} {int(v)}" for k, v in sorted(counts.items())) or "–")


def _counts_text(counts: Mapping[str, Any]) -> str:
    return ", ".join(f"{v} {k}" for k, v in counts.items()) or "–"


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _short_json(payload: Mapping[str, Any], limit: int = 160) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_for_script(data: Mapping[str, Any]) -> str:
    """JSON that cannot end its <script> element early."""
    text = json.dumps(data, default=str, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
