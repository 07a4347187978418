"""GitHub mode's approval and rollback through entrypoint.py, as a runner runs it.

One real scheduled run of the Action in GitHub mode (examples/shop, shop/inventory.py) opens
the optimizer's draft pull requests and analysis issues on the local GitHub server, pushing
their branches to a bare repository. Every test then gets its own copy of that world (bare
repository, checkout, patch store, ledger, and a fresh server seeded with the same issues and
pull requests) and sends the events a maintainer would cause.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import action_events as ev
import pytest
from action_runner import ActionRun, ActionRunner, copy_workspace, make_workspace
from fake_github import FakeGitHub
from fake_github_objects import IssueRecord
from fake_github_openapi import DESCRIPTION, problems
from fake_github_state import RepoSnapshot
from github import Auth, Github
from gitrepos import git

from agentic_action.ledger import Ledger
from agentic_action.patches import PatchStore
from agentic_action.publish.github.markers import parse_marker

UNKNOWN_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"


@dataclass(frozen=True)
class Published:
    root: Path
    workspace: Path
    out: Path
    snapshot: RepoSnapshot


@dataclass
class World:
    workspace: Path
    bare: Path
    runner: ActionRunner
    fake: FakeGitHub

    def pull(self) -> IssueRecord:
        """The optimizer's first draft pull request."""
        return next(r for r in self.fake.issues(ev.FULL) if r.is_pull and r.author == ev.BOT)

    def record(self, number: int) -> IssueRecord:
        return next(r for r in self.fake.issues(ev.FULL) if r.number == number)

    def cid(self, number: int) -> str:
        marker = parse_marker(self.record(number).body)
        assert marker is not None
        return marker.cid

    def run(self, event: str, payload: dict[str, Any], **inputs: str) -> ActionRun:
        ref = "refs/heads/main" if event == "issue_comment" else "refs/pull/1/merge"
        return self.runner.run(
            event, payload, inputs={"github-token": ev.TOKEN, **inputs},
            env={"GITHUB_API_URL": self.fake.base_url}, ref=ref,
        )  # fmt: skip

    def review(self, number: int, who: str = "maintainer") -> ActionRun:
        rec = self.record(number)
        payload = ev.pull_request_review(number, who, head=rec.head, body=rec.body)
        return self.run("pull_request_review", payload)

    def comment(self, number: int, body: str, who: str = "maintainer", **inputs: str) -> ActionRun:
        rec = self.record(number)
        payload = ev.issue_comment(number, body, who, on_pull=rec.is_pull, pull_author=rec.author)
        payload["issue"]["body"] = rec.body  # on a pull request, the issue is the pull request
        return self.run("issue_comment", payload, **inputs)

    def show(self, spec: str) -> str:
        return git(self.bare, "show", spec)

    def replies(self, number: int) -> list[str]:
        return [
            str(c["body"]) for c in self.record(number).comments if c["user"]["login"] == ev.BOT
        ]

    def store(self) -> PatchStore:
        return PatchStore(self.runner.out / "patches")

    def state(self) -> tuple[object, ...]:
        """Everything approval may change, but the replies: branches, items, store, checkout."""
        items = [
            (r.number, r.state, r.draft, r.merged_at, r.title, r.body, tuple(r.labels))
            for r in self.fake.issues(ev.FULL)
        ]
        return (
            git(self.bare, "for-each-ref", "--format=%(refname) %(objectname)"),
            items,
            (self.runner.out / "patches" / "index.json").read_bytes(),
            git(self.workspace, "rev-parse", "HEAD"),
            git(self.workspace, "status", "--porcelain"),
        )


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    root = tmp_path_factory.mktemp("published")
    workspace = make_workspace(root)
    with FakeGitHub() as fake:
        fake.add_token(ev.TOKEN, login=ev.BOT)
        fake.add_repo(ev.FULL, bare=root / "origin.git")
        runner = ActionRunner(root, workspace)
        run = runner.run(
            "schedule",
            ev.schedule(),
            inputs={
                "targets": "shop/inventory.py", "mode": "github", "github-token": ev.TOKEN,
                "validation-level": "quick", "max-agents": "2",
            },
            env={
                "GITHUB_API_URL": fake.base_url,
                "OPTIMIZER_GITHUB_CACHE_PATH": str(root / "cache" / "github.sqlite"),
            },
        )  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.outputs["mode-used"] == "github"
        assert [r for r in fake.issues(ev.FULL) if r.is_pull]
        yield Published(root, workspace, runner.out, fake.snapshot(ev.FULL))


@pytest.fixture
def world(published: Published, tmp_path: Path) -> Iterator[World]:
    workspace = copy_workspace(published.workspace, tmp_path)
    runner = ActionRunner(tmp_path, workspace)
    shutil.copytree(published.out / "patches", runner.out / "patches")
    shutil.copy2(published.out / "ledger.sqlite", runner.out / "ledger.sqlite")
    with FakeGitHub() as fake:
        fake.add_token(ev.TOKEN, login=ev.BOT)
        fake.add_repo(ev.FULL, bare=tmp_path / "origin.git")
        fake.restore(ev.FULL, published.snapshot)
        fake.set_permission(ev.FULL, "maintainer", "write")
        fake.set_permission(ev.FULL, "outsider", "read")
        yield World(workspace, tmp_path / "origin.git", runner, fake)


def _edit_every_line_the_change_touches(world: World, pull: IssueRecord) -> None:
    """Edit, on the base, every line the pull request's commit changes (git diff -U0 hunks)."""
    diff = git(world.bare, "diff", "-U0", f"{pull.head}^", pull.head, "--", "shop/inventory.py")
    path = world.workspace / "shop" / "inventory.py"
    lines = path.read_text().splitlines(keepends=True)
    for first, count in re.findall(r"^@@ -(\d+)(?:,(\d+))? ", diff, re.M):
        for index in range(int(first) - 1, int(first) - 1 + int(count or 1)):
            lines[index] = lines[index].rstrip("\n") + "  # edited since\n"
    path.write_text("".join(lines))


def _linked_issue(world: World, number: int) -> IssueRecord:
    body = world.record(number).body or ""
    return world.record(int(body.split("Closes #", 1)[1].split()[0]))


def _ledger_kinds(world: World) -> list[str]:
    with Ledger.open(world.runner.out / "ledger.sqlite") as ledger:
        return [e.kind for e in ledger.events(kind="patch.")]


def test_an_approving_review_marks_the_pull_request_ready_merges_it_and_closes_its_issue(
    world: World,
) -> None:
    pull = world.pull()
    cid, issue = world.cid(pull.number), _linked_issue(world, pull.number)
    branch_file = world.show(f"{pull.head}:shop/inventory.py")
    before = world.show("main:shop/inventory.py")

    run = world.review(pull.number)

    assert run.returncode == 0, run.stdout + run.stderr
    out = run.outputs
    assert (out["command"], out["outcome"], out["applied-cid"]) == ("approve", "completed", cid)
    merged = world.record(pull.number)
    assert (merged.state, merged.draft, merged.merged_at is not None) == ("closed", False, True)
    assert git(world.bare, "rev-parse", "main").strip() == out["commit-sha"]
    assert merged.merge_commit_sha == out["commit-sha"]
    assert world.show("main:shop/inventory.py") == branch_file != before
    message = git(world.bare, "log", "-1", "--format=%B", "main")
    assert f"(#{pull.number})" in message and f"Agentic-Optimizer-Patch: {cid}" in message
    assert "the whole test suite passed with the patch applied" in message
    assert world.fake.calls("POST", "^/graphql$") and world.fake.calls("PUT", "/merge$")
    closed = world.record(issue.number)
    assert (closed.state, closed.state_reason) == ("closed", "completed")
    assert f"fixed by #{pull.number}" in str(closed.comments[-1]["body"])
    (reply,) = world.replies(pull.number)
    assert reply.startswith("<!-- agentic-optimizer -->")
    assert f"Merged pull request #{pull.number} into `main`" in reply
    assert f"closed #{issue.number}" in reply
    assert world.store().get(cid).status == "applied"
    assert world.store().get(cid).history[-1].repo == out["pr-urls"]
    assert "patch.approved" in _ledger_kinds(world)
    assert "## agentic-optimizer: /approve done" in run.summary
    # GitHub's REST description: see tests/publish/github/test_fake_schema.py
    if DESCRIPTION.is_file():
        for answer in world.fake.answers:
            assert problems(answer.method, answer.template, answer.status, answer.body) == []


def test_rollback_opens_a_revert_pull_request_whose_approval_restores_the_original(
    world: World,
) -> None:
    pull = world.pull()
    cid, original = world.cid(pull.number), world.show("main:shop/inventory.py")
    approved = world.comment(pull.number, "/approve")
    assert approved.outputs["outcome"] == "completed", approved.stdout + approved.stderr
    merged = world.show("main:shop/inventory.py")

    thread = _linked_issue(world, pull.number).number
    asked = world.comment(thread, f"/rollback {cid}")

    assert asked.returncode == 0, asked.stdout + asked.stderr
    assert (asked.outputs["command"], asked.outputs["outcome"]) == ("rollback", "completed")
    revert = world.record(max(r.number for r in world.fake.issues(ev.FULL)))
    assert revert.is_pull and revert.draft and revert.author == ev.BOT
    assert revert.head.startswith("agentic-optimizer/revert-") and revert.state == "open"
    entry = world.store().get(cid)
    marker = parse_marker(revert.body)
    assert marker is not None and marker.cid == entry.reverse_cid
    assert f"#{pull.number}" in (revert.body or "") and cid in (revert.body or "")
    assert world.show(f"{revert.head}:shop/inventory.py") == original
    assert world.show("main:shop/inventory.py") == merged  # nothing pushed to the base
    assert asked.outputs["pr-urls"].endswith(f"/pull/{revert.number}")
    assert f"Opened draft pull request #{revert.number}" in world.replies(thread)[-1]

    again = world.comment(thread, f"/rollback {cid}")
    assert again.outputs["pr-urls"] == asked.outputs["pr-urls"]  # the same, not a second one
    assert f"Kept the open pull request #{revert.number}" in world.replies(thread)[-1]

    back = world.review(revert.number)

    assert back.outputs["outcome"] == "completed", back.stdout + back.stderr
    assert world.show("main:shop/inventory.py") == original
    assert world.store().get(cid).status == "rolled-back"
    assert _ledger_kinds(world)[-2:] == ["patch.approved", "patch.rolled_back"]


def test_a_repository_that_forbids_squash_merges_gets_a_merge_commit(world: World) -> None:
    pull = world.pull()
    world.fake.repo(ev.FULL).merge_methods = {"merge"}

    run = world.review(pull.number)

    assert run.outputs["outcome"] == "completed", run.stdout + run.stderr
    parents = git(world.bare, "log", "-1", "--format=%P", "main").split()
    assert parents[1] == world.record(pull.number).head_sha
    assert "(merge), as @maintainer approved" in world.replies(pull.number)[0]


def test_a_merge_github_refuses_after_marking_ready_fails_the_run_and_says_what_changed(
    world: World,
) -> None:
    pull = world.pull()
    base = git(world.bare, "rev-parse", "main")
    world.fake.fail("PUT", "/merge$", status=405, message='Required status check "ci" is expected.')

    run = world.review(pull.number)

    assert (run.returncode, run.outputs["outcome"]) == (1, "refused")
    (error,) = run.commands("error")
    assert error.properties["title"] == "agentic-optimizer could not finish /approve"
    (reply,) = world.replies(pull.number)
    assert 'Required status check "ci" is expected.' in reply
    assert (
        f"Changed: pull request #{pull.number} was marked ready for review but not merged" in reply
    )
    record = world.record(pull.number)
    assert (record.draft, record.state, record.merged_at) == (False, "open", None)
    assert git(world.bare, "rev-parse", "main") == base


def test_approval_without_the_patch_store_checks_the_commit_against_its_cid(
    world: World,
) -> None:
    pull = world.pull()
    shutil.rmtree(world.runner.out / "patches")

    run = world.review(pull.number)

    assert run.outputs["outcome"] == "completed", run.stdout + run.stderr
    assert world.record(pull.number).merged_at is not None
    with Ledger.open(world.runner.out / "ledger.sqlite") as ledger:
        (event,) = ledger.events(kind="patch.approved")
    assert event.payload["cid"] == world.cid(pull.number)
    assert event.payload["source"] == "github"


def test_rollback_in_auto_mode_of_a_pull_request_merged_by_hand_opens_a_revert_pull_request(
    world: World,
) -> None:
    pull = world.pull()
    cid, original = world.cid(pull.number), world.show("main:shop/inventory.py")
    github = Github(
        base_url=world.fake.base_url, auth=Auth.Token(ev.TOKEN), retry=None,
        seconds_between_requests=0, seconds_between_writes=0,
    )  # fmt: skip
    merging = github.get_repo(ev.FULL).get_pull(pull.number)
    merging.mark_ready_for_review()
    merging.merge(merge_method="merge")

    run = world.comment(_linked_issue(world, pull.number).number, f"/rollback {cid}")

    assert run.outputs["outcome"] == "completed", run.stdout + run.stderr
    revert = world.record(max(r.number for r in world.fake.issues(ev.FULL)))
    assert revert.head.startswith("agentic-optimizer/revert-")
    assert world.show(f"{revert.head}:shop/inventory.py") == original
    assert world.show("main:shop/inventory.py") != original  # the base is left to the PR


def test_a_user_without_write_permission_is_refused_and_nothing_changes(world: World) -> None:
    pull = world.pull()
    before = world.state()

    run = world.review(pull.number, who="outsider")

    assert (run.returncode, run.outputs["outcome"]) == (0, "refused")
    (reply,) = world.replies(pull.number)
    assert "@outsider has 'read' permission" in reply and "Nothing was changed." in reply
    assert world.state() == before
    assert world.fake.calls("PUT") == [] and world.fake.calls("POST", "^/graphql$") == []


def test_a_pull_request_the_optimizer_did_not_open_is_refused_even_with_its_marker(
    world: World,
) -> None:
    ours = world.record(world.pull().number)
    git(world.workspace, "push", "-q", "origin", f"{ours.head_sha}:refs/heads/agentic-optimizer/x")
    number = world.fake.add_pull(ev.FULL, "agentic-optimizer/x", "perf: mine", body=ours.body or "")
    before = world.state()

    run = world.comment(number, "/approve")

    assert (run.returncode, run.outputs["outcome"]) == (0, "refused")
    (reply,) = world.replies(number)
    assert f"pull request #{number} was not opened by the optimizer" in reply
    assert world.state() == before


def test_a_pull_request_whose_branch_changed_after_the_optimizer_pushed_it_is_refused(
    world: World, tmp_path: Path
) -> None:
    pull = world.pull()
    clone = tmp_path / "someone"
    git(tmp_path, "clone", "-q", "-b", pull.head, str(world.bare), str(clone))
    (clone / "shop" / "extra.py").write_text("SNEAKY = True\n")
    git(clone, "add", ".")
    git(clone, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "more")
    git(clone, "push", "-q", "origin", pull.head)
    before = world.state()

    run = world.review(pull.number)

    assert (run.returncode, run.outputs["outcome"]) == (0, "refused")
    assert "cannot be merged as approved" in world.replies(pull.number)[0]
    assert world.state() == before


@pytest.mark.parametrize(
    "change", ["edit-the-function", "a-red-test"], ids=["no-longer-applies", "no-longer-passes"]
)
def test_approval_is_refused_when_the_base_moved_so_the_change_no_longer_holds(
    world: World, change: str
) -> None:
    pull = world.pull()
    if change == "edit-the-function":
        _edit_every_line_the_change_touches(world, pull)
        words = "no longer applies to the current base"
    else:
        failing = "def test_new_requirement() -> None:\n    assert False, 'red on main'\n"
        (world.workspace / "tests" / "test_new.py").write_text(failing)
        words = "the test suite does not pass"
    git(world.workspace, "add", ".")
    git(world.workspace, "commit", "-qm", "the base moves on")
    git(world.workspace, "push", "-q", "origin", "main")
    before = world.state()

    run = world.review(pull.number)

    assert (run.returncode, run.outputs["outcome"]) == (0, "refused")
    assert words in world.replies(pull.number)[0]
    assert world.state() == before
    assert world.record(pull.number).draft is True


def test_approve_naming_another_cid_on_the_pull_request_is_refused(world: World) -> None:
    pull = world.pull()
    before = world.state()

    run = world.comment(pull.number, f"/approve {UNKNOWN_CID}")

    assert (run.returncode, run.outputs["outcome"]) == (0, "refused")
    assert "is not this pull request's change" in world.replies(pull.number)[0]
    assert world.state() == before


def test_rollback_of_an_unknown_cid_is_refused_with_a_reply(world: World) -> None:
    issue = _linked_issue(world, world.pull().number)
    before = world.state()

    run = world.comment(issue.number, f"/rollback {UNKNOWN_CID}", mode="github")

    assert (run.returncode, run.outputs["outcome"]) == (0, "refused")
    (reply,) = world.replies(issue.number)
    assert UNKNOWN_CID in reply and "Nothing was changed." in reply
    assert world.state() == before


def test_events_the_workflow_does_not_handle_change_nothing(world: World) -> None:
    pull = world.pull()
    before = world.state()
    payload = ev.pull_request_review(pull.number, head=pull.head, body=pull.body)

    opened = world.run("pull_request", {"action": "opened", **payload})
    commented = world.run(
        "pull_request_review", ev.pull_request_review(pull.number, state="commented")
    )

    assert opened.returncode == 2
    assert "event 'pull_request' is not handled" in opened.commands("error")[0].data
    assert (commented.returncode, commented.outputs["outcome"]) == (0, "skipped")
    assert [c for c in world.fake.requests if c.method != "GET"] == []
    assert world.state() == before
