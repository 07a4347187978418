"""Event payloads (as GitHub writes them) to requests."""

from __future__ import annotations

import action_events as ev
import pytest

from agentic_action.action.events import (
    ChangeRequest,
    EventPayloadError,
    OptimizeRequest,
    Skip,
    UnsupportedEventError,
    parse_event,
    targets_from_issue,
)

CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"


def test_schedule_and_dispatch_optimize_with_the_inputs_targets() -> None:
    assert parse_event("schedule", ev.schedule()) == OptimizeRequest("schedule")
    assert parse_event("workflow_dispatch", ev.workflow_dispatch()) == OptimizeRequest(
        "workflow_dispatch"
    )


def test_dispatch_with_command_approve_or_rollback_is_a_change_request() -> None:
    request = parse_event(
        "workflow_dispatch", ev.workflow_dispatch(), command="rollback", cid=f" {CID} "
    )
    assert request == ChangeRequest("rollback", (CID,), "maintainer", "dispatch")


def test_issue_labelled_needs_optimization_reads_targets_from_a_fenced_block() -> None:
    body = "Slow!\n\n```targets\n- shop/inventory.py\nshop/receipts.py\n```\nthanks"
    request = parse_event("issues", ev.issues_labeled(12, body))
    assert request == OptimizeRequest("issues", ("shop/inventory.py", "shop/receipts.py"), 12)


@pytest.mark.parametrize(
    ("body", "targets"),
    [
        ("Targets: src/a.py, src/b/**/*.py", ("src/a.py", "src/b/**/*.py")),
        ("targets:`pkg/*.py`", ("pkg/*.py",)),
        (
            "The hot path is `src/hot.py`, see `README.md` and `src/**/*.py`.",
            ("src/hot.py", "src/**/*.py"),
        ),
        ("~~~targets\r\nsrc/x.py\r\n~~~", ("src/x.py",)),
        ("Nothing named here.", ()),
    ],
)
def test_targets_are_read_from_an_issue_body(body: str, targets: tuple[str, ...]) -> None:
    assert targets_from_issue(body)[0] == targets


def test_issue_targets_outside_the_repository_are_dropped_and_reported() -> None:
    kept, problems = targets_from_issue("```targets\n/etc/passwd\n../up.py\nok.py\n```")
    assert kept == ("ok.py",)
    assert len(problems) == 2
    assert all("relative to the repository" in p for p in problems)


def test_an_issue_naming_no_targets_says_the_input_is_used() -> None:
    request = parse_event("issues", ev.issues_labeled(5, "please"))
    assert isinstance(request, OptimizeRequest)
    assert request.targets == ()
    assert any("names no targets" in note for note in request.notes)


def test_approve_comment_on_an_issue_names_the_commenter_and_the_thread() -> None:
    request = parse_event("issue_comment", ev.issue_comment(3, f"\n/approve {CID}\nthanks!"))
    assert isinstance(request, ChangeRequest)
    assert (request.command, request.args, request.actor) == ("approve", (CID,), "maintainer")
    assert request.thread is not None and (request.thread.number, request.thread.is_pull) == (
        3,
        False,
    )
    assert request.pull is None


def test_rollback_comment_on_a_pull_request_carries_the_pull_request() -> None:
    payload = ev.issue_comment(
        4, f"/rollback {CID}", on_pull=True, pull_author=ev.BOT, pull_labels=("agentic-optimizer",)
    )
    request = parse_event("issue_comment", payload)
    assert isinstance(request, ChangeRequest) and request.pull is not None
    assert request.command == "rollback"
    assert (request.pull.author, request.pull.labels) == (ev.BOT, ("agentic-optimizer",))


def test_an_approving_review_is_an_approval_of_that_pull_request() -> None:
    request = parse_event("pull_request_review", ev.pull_request_review(21))
    assert isinstance(request, ChangeRequest) and request.pull is not None
    assert (request.command, request.args, request.origin) == ("approve", (), "review")
    assert request.pull.head_ref == "agentic-optimizer/valid-codes"
    assert request.pull.base_ref == "main"


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("issues", ev.issues_labeled(1, "x", label_name="bug")),
        ("issue_comment", ev.issue_comment(1, "/approved it already")),
        ("issue_comment", ev.issue_comment(1, "<!-- agentic-optimizer -->\n/approve x")),
        ("issue_comment", ev.issue_comment(1, "/approve x", commenter="dependabot[bot]")),
        ("pull_request_review", ev.pull_request_review(1, state="changes_requested")),
        ("issues", ev.issues_labeled(1, "`a.py`", sender=ev.BOT)),
    ],
)
def test_events_that_ask_nothing_are_skips(event: str, payload: dict) -> None:  # type: ignore[type-arg]
    assert isinstance(parse_event(event, payload), Skip)


def test_a_command_input_on_another_event_is_ignored_with_a_note() -> None:
    request = parse_event("schedule", ev.schedule(), command="approve")
    assert isinstance(request, OptimizeRequest)
    assert "applies to workflow_dispatch only" in request.notes[0]


def test_unsupported_events_and_broken_payloads_are_refused() -> None:
    with pytest.raises(UnsupportedEventError, match="'pull_request_target' is not handled"):
        parse_event("pull_request_target", {})
    with pytest.raises(EventPayloadError, match=r"issue\.number"):
        parse_event("issue_comment", {"action": "created", "comment": {"body": "/approve x"}})
