"""Test world for GitHub mode: a fake GitHub server, a bare origin, a clone, results to publish."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from fake_github import FakeGitHub
from gitrepos import git, make_repo

from agentic_action.model import (
    CheckOutcome,
    CheckResult,
    Edit,
    FunctionTarget,
    OptimizationResult,
    PatchRef,
    SpeedEvidence,
    Status,
)
from agentic_action.publish.github import GitHubClient, GitHubConfig, PublishItem, Tuning

TOKEN = "ghs_fakeTokenForTests0123456789abcdef"
REPO = "octo/demo"
ORIGINAL = "".join(
    [
        "def slow(items):\n",
        "    out = []\n",
        "    for x in items:\n",
        "        out.append(x * 2)\n",
        "    return out\n",
    ]
)
FASTER = "def slow(items):\n    return [x * 2 for x in items]\n"


@dataclass
class Sleeper:
    """Records the waits asked of it instead of sleeping (pacing is checked, not timed)."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@dataclass
class World:
    fake: FakeGitHub
    bare: Path
    clone: Path
    base_commit: str
    config: GitHubConfig
    sleeper: Sleeper
    tmp: Path
    timeout: float = 2.0

    def tuning(self, **changes: object) -> Tuning:
        base = Tuning(
            timeout=self.timeout,
            seconds_between_writes=0.0,
            backoff=0.01,
            retries=2,
            max_wait=30.0,
            secondary_default_wait=5.0,
            sleep=self.sleeper,
        )
        return replace(base, **changes)  # type: ignore[arg-type]

    def client(self, **config_changes: object) -> GitHubClient:
        return GitHubClient(replace(self.config, **config_changes), self.tuning())  # type: ignore[arg-type]

    def diff(self, new_source: str, path: str = "src/mod.py") -> str:
        target = self.clone / path
        old = target.read_text(encoding="utf-8")
        target.write_text(new_source, encoding="utf-8")
        try:
            return git(self.clone, "diff", "--", path)
        finally:
            target.write_text(old, encoding="utf-8")

    def item(self, result: OptimizationResult, new_source: str = FASTER) -> PublishItem:
        return PublishItem(
            result=result,
            diff=self.diff(new_source, result.target.file),
            repo_path=self.clone,
            base_branch="main",
            base_commit=self.base_commit,
        )

    def remote_head(self, branch: str) -> str | None:
        done = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
            cwd=self.bare,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip() or None


def result(
    qualname: str = "slow",
    file: str = "src/mod.py",
    cid: str = "bafkreiaaaa1111",
    rationale: str = "a list comprehension avoids repeated append lookups",
    status: Status = Status.ACCEPTED,
) -> OptimizationResult:
    return OptimizationResult(
        target=FunctionTarget(file, qualname, 1, 5),
        method="rules",
        status=status,
        reason="faster and behaves the same on recorded inputs"
        if status is Status.ACCEPTED
        else "candidate changed behaviour on input [3]",
        edits=(Edit("AO102", "append loop to comprehension", 2, rationale),),
        checks=(
            CheckResult("syntax", CheckOutcome.PASSED, "", 0.01),
            CheckResult("affected-tests", CheckOutcome.PASSED, "3 passed", 1.2),
        ),
        speed=SpeedEvidence(
            1.42, 1.35, 1.5, 40, 0.031, "paired A/B interleaved", True, 2e-5, 1.4e-5
        ),
        patch=PatchRef(cid, cid.replace("bafkrei", "bafkreirev"), f"patches/{cid}.diff")
        if status is Status.ACCEPTED
        else None,
    )


@contextmanager
def make_world(tmp_path: Path) -> Iterator[World]:
    upstream = make_repo(tmp_path / "upstream", {"src/mod.py": ORIGINAL, "src/other.py": ORIGINAL})
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(upstream), str(bare)], check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(bare), str(clone)], check=True)
    base = git(clone, "rev-parse", "HEAD").strip()
    with FakeGitHub() as fake:
        fake.add_token(TOKEN, login="optimizer-bot")
        fake.add_repo(REPO, bare=bare)
        config = GitHubConfig(
            token=TOKEN,
            repo=REPO,
            api_url=fake.base_url,
            cache_path=tmp_path / "cache" / "github.sqlite",
        )
        yield World(fake, bare, clone, base, config, Sleeper(), tmp_path)
