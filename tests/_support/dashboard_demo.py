"""A ledger with a realistic history (three days, three agents) for dashboard tests and the
screenshot in docs/dashboard.png, written through the real RunHistory observer.

    python tests/_support/dashboard_demo.py docs/dashboard.png   # regenerate the screenshot
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from agentic_action.ledger import ConflictStatus, Ledger
from agentic_action.model import (
    Destination,
    FunctionTarget,
    OptimizationResult,
    PatchRef,
    SpeedEvidence,
    Status,
)
from agentic_action.patches.cid import cid_of
from agentic_action.report.history import RunHistory
from agentic_action.run import RunReport
from agentic_action.settings import Settings

DAY = 86_400.0
START = 1_763_700_000.0  # 2025-11-21, a fixed time so the page is the same every time


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


# (file, function, speedup, ci_low, ci_high, significant, status)
CHANGES: list[list[tuple[str, str, float | None, float, float, bool, Status]]] = [
    [
        ("shop/inventory.py", "restock_days_between", 3.84, 3.61, 4.02, True, Status.ACCEPTED),
        ("shop/inventory.py", "valid_codes", 1.42, 1.35, 1.50, True, Status.ACCEPTED),
        ("shop/receipts.py", "line_totals", 1.03, 0.97, 1.08, False, Status.REJECTED),
    ],
    [
        ("shop/receipts.py", "format_receipt", 1.27, 1.19, 1.33, True, Status.ACCEPTED),
        ("shop/inventory.py", "most_expensive", None, 0, 0, False, Status.REJECTED),
    ],
    [
        ("shop/pricing.py", "apply_discounts", 2.15, 1.98, 2.30, True, Status.ACCEPTED),
        ("shop/pricing.py", "Cart.total", 1.11, 1.06, 1.17, True, Status.ACCEPTED),
        ("shop/search.py", "find_sku", None, 0, 0, False, Status.ERROR),
    ],
]


def _result(
    file: str,
    function: str,
    speed: float | None,
    low: float,
    high: float,
    sig: bool,
    status: Status,
) -> OptimizationResult:
    target = FunctionTarget(file, function, 10, 30, static_score=4.0)
    evidence = None
    if speed is not None:
        evidence = SpeedEvidence(speed, low, high, 40, 0.03, "paired", sig, 1.2e-5, 1.2e-5 / speed)
    patch = None
    if status is Status.ACCEPTED:
        cid = cid_of(f"{file}::{function}".encode())
        patch = PatchRef(cid, cid_of(f"undo {file}::{function}".encode()), f"patches/{cid}.diff")
    reason = {
        Status.ACCEPTED: "all checks passed",
        Status.REJECTED: "benchmark: not significantly faster"
        if speed
        else "behaviour: sorted()[-1] and max() differ on ties",
        Status.ERROR: "affected-tests: timed out after 900s",
    }[status]
    destination = Destination.PATCH if patch else Destination.NONE
    return OptimizationResult(
        target, "rules", status, reason, speed=evidence, patch=patch, destination=destination
    )


def _report(out: Path, clock: Clock) -> RunReport:
    settings = Settings(repo=Path("/work/shop"), out=out)
    report = RunReport(settings, Path("/work/shop"), "3f1c2a9b7d0e" + "0" * 28, out)
    report.started_at = clock.now
    return report


def build_demo_ledger(path: Path, out: Path | None = None) -> Path:
    """Write the demo history into a new ledger at ``path``; returns ``path``."""
    clock = Clock(START)
    out = out or path.parent
    with Ledger.open(path, clock=clock) as ledger:
        agents = ["wave-1/agent-1", "wave-1/agent-2", "wave-2/agent-1"]
        published: list[str] = []
        for day, changes in enumerate(CHANGES):
            report = _report(out, clock)
            history = RunHistory(ledger, agent=agents[day])
            history.started(report)
            for change in changes:
                clock.tick(95)
                result = _result(*change)
                report.results.append(result)
                history.result(report, result)
                if result.patch:
                    published.append(result.patch.cid)
            report.github = _github(day)
            report.llm = _llm(day)  # type: ignore[attr-defined]
            report.finished_at = clock.now
            history.finished(report)
            clock.tick(DAY - 95 * len(changes))
        _queue(ledger, clock)
        _conflicts(ledger, published)
        _human_actions(ledger, published, clock)
    return path


def _github(day: int) -> dict[str, Any]:
    api = {"full_reads": 14 - 4 * day, "not_modified": 6 + 5 * day, "cache_hits": 9 + 6 * day}
    api |= {"writes": 5 - day, "probes": 1, "retries": 0}
    return {"repository": "octo/shop", "remaining": 4900 - 20 * day, "api": api}


def _llm(day: int) -> dict[str, Any]:
    calls = [
        {"method": "adversarial", "model": "openai/gpt-4o-mini", "outcome": "ok",
         "prompt_tokens": 1800 + 300 * i, "completion_tokens": 420, "cost_usd": 0.012 * (day + 1)}
        for i in range(3 + day)
    ]  # fmt: skip
    calls.append({"method": "adversarial", "model": "openai/gpt-4o-mini", "outcome": "cached"})
    return {"records": calls}


def _queue(ledger: Ledger, clock: Clock) -> None:
    first = ledger.queue.add("shop/search.py", "find_sku", method="rules", priority=3)
    ledger.queue.add("shop/search.py", "rank_results", method="rules", priority=2)
    ledger.queue.add("shop/pricing.py", "tax_for", method="rules", priority=1, depends_on=[first])
    task = ledger.queue.claim("wave-2/agent-2")
    assert task is not None
    clock.tick(30)


def _conflicts(ledger: Ledger, cids: list[str]) -> None:
    merged = ledger.record_conflict(cids[0:2], ["shop/inventory.py"], status=ConflictStatus.OPEN)
    ledger.update_conflict(
        merged, ConflictStatus.MERGED, "three-way merge; merged result re-validated"
    )
    ledger.record_conflict(
        cids[3:5],
        ["shop/pricing.py"],
        status=ConflictStatus.ESCALATED,
        resolution="both rewrite Cart.total's loop; left for a human",
    )


def _human_actions(ledger: Ledger, cids: list[str], clock: Clock) -> None:
    clock.tick(600)
    ledger.append(
        "patch.approved",
        {"cid": cids[0], "history_index": 1, "at": "2025-11-24T09:00:00Z", "source": "demo"},
        subject="shop/inventory.py::restock_days_between",
    )
    ledger.append(
        "patch.rolled_back",
        {"cid": cids[2], "history_index": 1, "at": "2025-11-24T09:10:00Z", "source": "demo"},
        subject="shop/receipts.py::format_receipt",
    )


def chromium_command(profile: Path) -> list[str] | None:
    """The headless Chromium command line (None when no chromium is installed)."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        return None
    return [
        binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--hide-scrollbars", f"--user-data-dir={profile}",
    ]  # fmt: skip


def screenshot(html: Path, png: Path, size: str = "1400,2300") -> None:
    with tempfile.TemporaryDirectory() as profile:
        command = chromium_command(Path(profile))
        if command is None:
            raise SystemExit("chromium is not installed (apt-get install -y chromium)")
        subprocess.run(
            [*command, f"--screenshot={png}", f"--window-size={size}", html.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip


def main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "docs/dashboard.png").resolve()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        ledger = build_demo_ledger(work / "ledger.sqlite")
        html = work / "dashboard.html"
        subprocess.run(
            [sys.executable, "-m", "agentic_action", "report", "--html", str(html),
             "--ledger", str(ledger), "--out", str(work)],
            check=True,
        )  # fmt: skip
        screenshot(html, target)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
