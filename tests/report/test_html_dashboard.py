"""`agentic-optimizer report --html`: a self-contained page, checked in headless Chromium."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from dashboard_demo import build_demo_ledger, chromium_command
from gitrepos import make_repo
from patchkit import BASE_FILES, meta_for, optimized_diffs

from agentic_action.ledger import Ledger
from agentic_action.model import (
    CheckOutcome,
    CheckResult,
    Destination,
    FunctionTarget,
    OptimizationResult,
    PatchRef,
    SpeedEvidence,
    Status,
)
from agentic_action.patches import PatchStore
from agentic_action.report.history import RunHistory
from agentic_action.report.json_report import write_json
from agentic_action.run import RunReport
from agentic_action.settings import Settings

HOSTILE = "<img src=x onerror=alert(1)>"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPTIMIZER_")}
    return subprocess.run(
        [sys.executable, "-m", "agentic_action", *args],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=300, check=False,
    )  # fmt: skip


def report_html(html: Path, *args: str) -> str:
    done = cli("report", "--html", str(html), *args)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"dashboard written to {html}"
    return html.read_text(encoding="utf-8")


def chromium(profile: Path) -> list[str]:
    command = chromium_command(profile)
    if command is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but chromium is missing: .ci/setup-chromium.sh should install it")
        pytest.skip("chromium is not installed: `apt-get install -y chromium` enables this test")
    return command


def browse(html: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*chromium(profile), "--enable-logging=stderr", "--v=0", *args, html.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    work = tmp_path_factory.mktemp("dashboard")
    ledger = build_demo_ledger(work / "ledger.sqlite")
    html = work / "site" / "dashboard.html"
    return html, report_html(html, "--ledger", str(ledger), "--out", str(work))


def test_the_dashboard_renders_every_section_in_headless_chromium(
    demo_page: tuple[Path, str], tmp_path: Path
) -> None:
    html, _ = demo_page
    done = browse(html, tmp_path / "profile", "--dump-dom")
    dom = done.stdout
    ready = re.search(r'<p id="dashboard-ready"[^>]*>', dom)
    assert ready is not None, "the page's script did not run to its end"
    assert 'data-agents="4"' in ready.group(0) and 'data-patches="5"' in ready.group(0)
    assert '<div id="js-errors" role="alert"></div>' in dom
    assert "Uncaught" not in done.stderr
    for chart in ("chart hbars", "chart intervals", "chart columns"):
        assert f'class="{chart}"' in dom
    assert dom.count('class="chart columns"') == 2  # LLM spend per day, API use per run
    intervals = dom[
        dom.index('class="chart intervals"') : dom.index("</svg>", dom.index("chart intervals"))
    ]
    assert intervals.count("<circle") == 6  # six measured changes, each with its CI
    for figure in ("3.84x (3.61–4.02)", "1.42x (1.35–1.50)", "$0.31", "32,340 tokens"):
        assert figure in dom
    for text in ("wave-2/agent-2", "shop/search.py::find_sku", "escalated", "both rewrite"):
        assert text in dom
    states = re.findall(r'<span class="badge (approved|rolled_back|published)">', dom)
    assert sorted(states) == ["approved", "published", "published", "published", "rolled_back"]


def test_the_pipeline_counts_each_stage(demo_page: tuple[Path, str]) -> None:
    _, page = demo_page
    data = json.loads(re.search(r'id="dashboard-data">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    assert data["pipeline"] == {
        "proposed": 8, "proven": 5, "published": 5, "approved": 1, "rolled_back": 1,
    }  # fmt: skip
    assert data["agents"][0]["status"] == "working"
    assert [s["day"] for s in data["spend"]] == ["2025-11-21", "2025-11-22", "2025-11-23"]
    assert [row["full_requests"] for row in data["api"]] == [14, 10, 6]


def test_the_page_fetches_nothing(demo_page: tuple[Path, str]) -> None:
    _, page = demo_page
    assert re.findall(r"\b(?:src|href|action)\s*=", page) == []
    assert "url(" not in page and "@import" not in page
    assert "default-src 'none'" in page  # the CSP forbids any request, should one slip in
    links = set(re.findall(r"https?://[^\s\"'<]+", page))
    assert links == {"http://www.w3.org/2000/svg"}  # an SVG namespace, never fetched


def test_a_screenshot_of_the_page_is_a_full_size_png(
    demo_page: tuple[Path, str], tmp_path: Path
) -> None:
    html, _ = demo_page
    png = tmp_path / "dashboard.png"
    browse(html, tmp_path / "profile", f"--screenshot={png}", "--window-size=1400,2300")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1400, 2300)
    assert len(data) > 50_000  # a blank page compresses to a few kilobytes


def _result(qualname: str, cid: str, speed: float | None = None) -> OptimizationResult:
    evidence = None
    if speed is not None:
        evidence = SpeedEvidence(
            speed, speed - 0.1, speed + 0.1, 30, 0.02, "paired", True, 2e-5, 1e-5
        )
    return OptimizationResult(
        FunctionTarget("pkg/mod.py", qualname, 1, 5),
        "rules",
        Status.ACCEPTED,
        "all checks passed",
        checks=(CheckResult("syntax", CheckOutcome.PASSED),),
        speed=evidence,
        patch=PatchRef(cid, cid + "r", f"patches/{cid}.diff"),
        destination=Destination.PATCH,
    )


def test_text_from_the_repository_cannot_inject_markup(tmp_path: Path) -> None:
    report = RunReport(Settings(out=tmp_path), tmp_path, "a" * 40, tmp_path)
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        history = RunHistory(ledger, agent=f"agent {HOSTILE}")
        history.started(report)
        history.result(report, _result(f"f{HOSTILE}</script>", "bafkreihostile", 1.5))
        history.finished(report)
    html = tmp_path / "page.html"
    page = report_html(html, "--ledger", str(tmp_path / "ledger.sqlite"), "--out", str(tmp_path))
    assert HOSTILE not in page and '</script>"' not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    dom = browse(html, tmp_path / "profile", "--dump-dom").stdout
    assert "<img" not in dom and 'id="dashboard-ready"' in dom


def test_one_report_json_is_enough_for_a_dashboard(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = RunReport(Settings(out=out, description="nightly"), tmp_path, "b" * 40, out)
    report.results = [_result("total", "bafkreitotal", 2.5), _result("other", "bafkreiother")]
    report.notes.append("Validation level 'quick' was not used.")
    report.finished_at = report.started_at + 12
    write_json(report, out / "report.json")
    page = report_html(tmp_path / "page.html", "--out", str(out))
    assert "this run" in page and "2.50x (2.40–2.60)" in page
    assert "Validation level &#x27;quick&#x27; was not used." in page
    assert f"report <code>{out / 'report.json'}</code>" in page


def test_approvals_in_the_patch_store_show_even_before_the_next_run(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "project", dict(BASE_FILES))
    out = tmp_path / "out"
    store = PatchStore(out / "patches")
    stored = store.put(*optimized_diffs(repo), meta_for(repo))
    report = RunReport(Settings(out=out), repo, "c" * 40, out)
    with Ledger.open(out / "ledger.sqlite") as ledger:
        history = RunHistory(ledger)
        history.started(report)
        history.result(report, _result("total", stored.cid, 3.2))
        history.finished(report)
    applied = cli("apply", stored.cid, "--repo", str(repo), "--patches", str(out / "patches"))
    assert applied.returncode == 0, applied.stderr
    page = report_html(tmp_path / "page.html", "--out", str(out))
    assert '<span class="badge approved">approved</span>' in page


def test_a_corrupt_ledger_is_refused_and_left_untouched(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    ledger.write_bytes(b"not a database" * 64)
    done = cli("report", "--html", str(tmp_path / "page.html"), "--ledger", str(ledger))
    assert done.returncode == 2 and "left untouched" in done.stderr
    assert ledger.read_bytes() == b"not a database" * 64
    assert not (tmp_path / "page.html").exists()


def test_nothing_to_report_names_what_was_looked_for(tmp_path: Path) -> None:
    done = cli("report", "--html", "page.html", cwd=tmp_path)
    assert done.returncode == 2
    assert "no ledger at agentic-optimizer-out/ledger.sqlite and no report.json" in done.stderr
    assert not (tmp_path / "page.html").exists()
