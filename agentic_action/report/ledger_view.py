"""What the ledger says, as plain data: agents, the patch pipeline, speedups, spend, API use.

Read by the ledger CLI (``agents list``, ``agents status``) and by the HTML dashboard. Nothing
here writes. The dashboard's data is one JSON-able dict (see :func:`dashboard_data`), built from
a ledger or, without one, from a run's ``report.json`` (:func:`dashboard_data_from_report`).
"""

from __future__ import annotations

import socket
import statistics
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from agentic_action.ledger import Event, Ledger, ResultRecord
from agentic_action.workspace import process_alive

MAX_RESULTS = 5000  # the dashboard reads at most this many (newest) results
MAX_SPEEDUPS = 30  # rows in the speedup chart
MAX_EVENTS = 40  # rows in the recent-events table
MAX_RUNS = 50
_STORE_STATES = {"applied": "approved", "rolled-back": "rolled_back"}
# working: holds tasks; running: started, not finished; stale: "running" but its process on this
# host is gone (killed); then how its last run ended; idle: no run.
AgentStatus = Literal[
    "working", "running", "stale", "finished", "failed", "interrupted", "cancelled", "idle"
]
_ENDED: tuple[AgentStatus, ...] = ("finished", "failed", "interrupted", "cancelled")


@dataclass(frozen=True)
class AgentView:
    name: str
    status: AgentStatus
    run_ids: tuple[str, ...]  # newest last
    started_at: float | None
    last_seen: float
    claimed: tuple[str, ...] = ()  # target keys of the tasks it holds now
    tasks: dict[str, int] = field(default_factory=dict)  # task status -> count
    results: dict[str, int] = field(default_factory=dict)  # result status -> count

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AgentDetail:
    agent: AgentView
    events: list[Event]
    results: list[ResultRecord]


# --- agents -------------------------------------------------------------------------------
def agents(ledger: Ledger) -> list[AgentView]:
    """Every agent the ledger knows (from agent.* events and task owners), newest first."""
    seen: dict[str, list[Event]] = {}
    for event in ledger.events(kind="agent."):
        name = str(event.payload.get("agent") or event.subject)
        seen.setdefault(name, []).append(event)
    owners = {task.owner for task in ledger.queue.list() if task.owner}
    views = [_agent(ledger, name, seen.get(name, [])) for name in set(seen) | owners]
    return sorted(views, key=lambda view: (-view.last_seen, view.name))


def agent_detail(ledger: Ledger, name: str) -> AgentDetail | None:
    found = [view for view in agents(ledger) if view.name == name]
    if not found:
        return None
    view = found[0]
    events = [e for e in ledger.events(kind="agent.") if e.payload.get("agent") == name]
    for run_id in view.run_ids:
        events += [e for e in ledger.events(run_id=run_id) if not e.kind.startswith("agent.")]
    task_events = [e for e in ledger.events(kind="task.") if e.payload.get("owner") == name]
    events = sorted({e.id: e for e in events + task_events}.values(), key=lambda e: e.id)
    results = [r for run_id in view.run_ids for r in ledger.search(run_id=run_id, limit=None)]
    return AgentDetail(view, events, results)


def _agent(ledger: Ledger, name: str, events: list[Event]) -> AgentView:
    tasks = ledger.queue.list(owner=name)
    run_ids = tuple(
        dict.fromkeys(str(e.payload["run_id"]) for e in events if e.payload.get("run_id"))
    )
    results: Counter[str] = Counter()
    for run_id in run_ids:
        results.update(r.status for r in ledger.search(run_id=run_id, limit=None))
    claimed = tuple(t.key for t in tasks if t.status.value == "claimed")
    times = [e.at for e in events] + [t.claimed_at or t.created_at for t in tasks]
    times += [t.finished_at for t in tasks if t.finished_at]
    return AgentView(
        name=name,
        status=_agent_status(events, claimed),
        run_ids=run_ids,
        started_at=min((e.at for e in events if e.kind == "agent.started"), default=None),
        last_seen=max(times, default=0.0),
        claimed=claimed,
        tasks=dict(Counter(t.status.value for t in tasks)),
        results=dict(results),
    )


def _agent_status(events: list[Event], claimed: tuple[str, ...]) -> AgentStatus:
    if claimed:
        return "working"
    last = next(
        (e for e in reversed(events) if e.kind in ("agent.started", "agent.finished")), None
    )
    if last is None:
        return "idle"
    if last.kind == "agent.started":
        return "stale" if _gone(last.payload) else "running"
    said = last.payload.get("status")
    return next((s for s in _ENDED if s == said), "finished")


def _gone(started: Mapping[str, Any]) -> bool:
    """Whether the process that started a run on this host no longer exists."""
    pid, host = started.get("pid"), started.get("host")
    return isinstance(pid, int) and host == socket.gethostname() and not process_alive(pid)


# --- the dashboard's data -----------------------------------------------------------------
def dashboard_data(ledger: Ledger, *, store_root: Path | None = None) -> dict[str, Any]:
    """Everything the dashboard shows, from a ledger (and the patch store, when given)."""
    stats = ledger.stats()
    results = ledger.search(limit=MAX_RESULTS)
    states = _event_states(ledger) | store_states(store_root)
    patches = _patches(results, states)
    return {
        "generated_at": time.time(),
        "source": {"ledger": str(ledger.path), "report": None},
        "stats": {
            "runs": stats.runs,
            "events": stats.events,
            "tasks": stats.tasks,
            "results": stats.results,
            "median_speedup": stats.accepted_median_speedup,
            "llm_cost_usd": stats.llm_cost_usd,
            "api": asdict(stats.api),
            "conflicts": stats.conflicts,
        },
        "agents": [view.to_json() for view in agents(ledger)],
        "pipeline": _pipeline(sum(stats.results.values()), stats.results, patches),
        "patches": patches,
        "speedups": _speedups(_result_json(r) for r in results),
        "spend": _spend_by_day(ledger),
        "api": _api_by_run(ledger),
        "conflicts": [_conflict_json(c) for c in ledger.conflicts()],
        "runs": [_run_json(run) for run in ledger.runs(limit=MAX_RUNS)],
        "events": [_event_json(e) for e in _recent_events(ledger)],
        "latest_report": None,
    }


def dashboard_data_from_report(
    report: Mapping[str, Any], *, store_root: Path | None = None, path: str = ""
) -> dict[str, Any]:
    """The same shape from one run's report.json (no history: one run, one agent)."""
    run = report.get("run") or {}
    started, finished = _unix(run.get("started_at")), _unix(run.get("finished_at"))
    results = [_report_result(r, started) for r in report.get("results") or []]
    by_status = dict(Counter(r["status"] for r in results))
    patches = _patches_from_json(results, store_states(store_root))
    api = ((report.get("github") or {}).get("api")) or {}
    api_row = _api_row("this run", started, api) if api else None
    speeds = [r["speedup"] for r in results if r["status"] == "accepted" and r["speedup"]]
    return {
        "generated_at": time.time(),
        "source": {"ledger": None, "report": path},
        "stats": {
            "runs": 1,
            "events": 0,
            "tasks": {},
            "results": by_status,
            "median_speedup": statistics.median(speeds) if speeds else None,
            "llm_cost_usd": 0.0,
            "api": api_row or {},
            "conflicts": {},
        },
        "agents": [
            AgentView(
                "this run", "finished", (), started, finished or started or 0.0, results=by_status
            ).to_json()
        ],
        "pipeline": _pipeline(len(results), by_status, patches),
        "patches": patches,
        "speedups": _speedups(results),
        "spend": [],
        "api": [api_row] if api_row else [],
        "conflicts": [],
        "runs": [
            {
                "id": "this run", "status": "finished", "started_at": started,
                "finished_at": finished, "repo": run.get("repo", ""),
                "base_commit": run.get("base_commit", ""), "shard": "",
                "summary": report.get("totals") or {},
            }
        ],
        "events": [],
        "latest_report": latest_report(report),
    }  # fmt: skip


def latest_report(report: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of one report.json the dashboard shows beside the ledger's history."""
    run = report.get("run") or {}
    baseline = report.get("baseline") or {}
    return {
        "repo": run.get("repo", ""),
        "base_commit": run.get("base_commit", ""),
        "mode": run.get("mode_used", ""),
        "mode_reason": run.get("mode_reason", ""),
        "validation_level": run.get("validation_level", ""),
        "baseline": baseline.get("summary", ""),
        "totals": report.get("totals") or {},
        "notes": list(report.get("notes") or []),
    }


def store_states(store_root: Path | None) -> dict[str, tuple[str, float]]:
    """cid -> (approved | rolled_back, unix time) from a patch store's history, if readable."""
    if store_root is None or not (store_root / "index.json").is_file():
        return {}
    from agentic_action.patches.store import PatchStore

    states: dict[str, tuple[str, float]] = {}
    for entry in PatchStore(store_root).entries():
        for event in entry.history:
            state = _STORE_STATES.get(event.action)
            if state is not None:
                states[entry.cid] = (state, _unix(event.at) or 0.0)
    return states


# --- pieces -------------------------------------------------------------------------------
def _event_states(ledger: Ledger) -> dict[str, tuple[str, float]]:
    events = ledger.events(kind="patch.approved") + ledger.events(kind="patch.rolled_back")
    states: dict[str, tuple[str, float]] = {}
    for event in sorted(events, key=lambda e: e.id):
        cid = event.payload.get("cid")
        if cid:
            states[str(cid)] = (event.kind.removeprefix("patch."), event.at)
    return states


def _patches(
    results: list[ResultRecord], states: Mapping[str, tuple[str, float]]
) -> list[dict[str, Any]]:
    return _patches_from_json([_result_json(r) for r in results], states)


def _patches_from_json(
    results: Iterable[dict[str, Any]], states: Mapping[str, tuple[str, float]]
) -> list[dict[str, Any]]:
    """One row per distinct patch (newest result first), with its pipeline state."""
    rows: dict[str, dict[str, Any]] = {}
    for result in results:
        cid = result.get("cid")
        if not cid or cid in rows or result["status"] != "accepted":
            continue
        published = result["destination"] in ("patch", "github")
        state, at = states.get(cid, ("published" if published else "proven", result["at"]))
        rows[cid] = {
            "cid": cid,
            "target": result["target"],
            "method": result["method"],
            "state": state,
            "state_at": at,
            "destination": result["destination"],
            "speedup": result["speedup"],
            "ci_low": result["ci_low"],
            "ci_high": result["ci_high"],
        }
    return list(rows.values())


def _pipeline(
    proposed: int, by_status: Mapping[str, int], patches: list[dict[str, Any]]
) -> dict[str, int]:
    states = Counter(p["state"] for p in patches)
    return {
        "proposed": proposed,
        "proven": len(patches) or int(by_status.get("accepted", 0)),
        "published": sum(1 for p in patches if p["destination"] in ("patch", "github")),
        "approved": states["approved"],
        "rolled_back": states["rolled_back"],
    }


def _speedups(results: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Measured results, one per (target, patch), newest kept, biggest speedup first."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for result in results:
        if result["speedup"] is None:
            continue
        key = (result["target"], result.get("cid") or "")
        seen.setdefault(key, result)
        if len(seen) >= MAX_SPEEDUPS:
            break
    return sorted(seen.values(), key=lambda r: -float(r["speedup"]))


def _result_json(result: ResultRecord) -> dict[str, Any]:
    return {
        "target": f"{result.file}::{result.function}",
        "method": result.method,
        "status": result.status,
        "speedup": result.speedup,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "significant": result.details.get("significant"),
        "cid": result.cid,
        "destination": result.destination,
        "run_id": result.run_id,
        "at": result.created_at,
    }


def _report_result(result: Mapping[str, Any], at: float | None) -> dict[str, Any]:
    speed = result.get("speed") or {}
    patch = result.get("patch") or {}
    return {
        "target": f"{result.get('file', '')}::{result.get('function', '')}",
        "method": result.get("method", ""),
        "status": result.get("status", ""),
        "speedup": speed.get("speedup"),
        "ci_low": speed.get("ci_low"),
        "ci_high": speed.get("ci_high"),
        "significant": speed.get("significant"),
        "cid": patch.get("cid"),
        "destination": result.get("destination", "none"),
        "run_id": "this run",
        "at": at or 0.0,
    }


def _spend_by_day(ledger: Ledger) -> list[dict[str, Any]]:
    days: dict[str, dict[str, Any]] = {}
    for row in ledger.spend():
        day = datetime.fromtimestamp(row.at, UTC).strftime("%Y-%m-%d")
        bucket = days.setdefault(
            day, {"day": day, "cost_usd": 0.0, "prompt_tokens": 0, "completion_tokens": 0}
        )
        bucket["cost_usd"] += row.cost_usd
        bucket["prompt_tokens"] += row.prompt_tokens
        bucket["completion_tokens"] += row.completion_tokens
        bucket["calls"] = bucket.get("calls", 0) + 1
    return [days[day] for day in sorted(days)]


def _api_by_run(ledger: Ledger) -> list[dict[str, Any]]:
    rows = []
    for run in reversed(ledger.runs(limit=MAX_RUNS)):
        usage = ledger.api_usage(run.id)
        if usage.updated_at:
            rows.append(_api_row(run.id, run.started_at, asdict(usage)))
    return rows


def _api_row(run_id: str, at: float | None, usage: Mapping[str, Any]) -> dict[str, Any]:
    full = usage.get("full_requests", usage.get("full_reads", 0))
    return {
        "run_id": run_id,
        "at": at or 0.0,
        "full_requests": int(full or 0),
        "not_modified": int(usage.get("not_modified") or 0),
        "cache_hits": int(usage.get("cache_hits") or 0),
        "writes": int(usage.get("writes") or 0),
        "rate_remaining": usage.get("rate_remaining"),
    }


def _recent_events(ledger: Ledger) -> list[Event]:
    since = max(0, ledger.last_event_id() - MAX_EVENTS)
    return list(reversed(ledger.events(since_id=since)))


def _event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at,
        "kind": event.kind,
        "run_id": event.run_id,
        "subject": event.subject,
        "payload": event.payload,
    }


def _conflict_json(conflict: Any) -> dict[str, Any]:
    data = asdict(conflict)
    data["status"] = str(conflict.status)
    return data


def _run_json(run: Any) -> dict[str, Any]:
    data = asdict(run)
    data.pop("settings", None)
    return data


def _unix(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
