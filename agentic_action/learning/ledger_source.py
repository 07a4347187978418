"""Observations from the run ledger: every candidate's outcome, and maintainers' verdicts.

* a ``results`` row -> accepted / rejected / error, for its method and rule family;
* a ``patch.approved`` event (``apply``, ``/approve``) -> merged;
* a ``patch.rolled_back`` event -> rolled back;
* a GitHub verdict the publisher saw (a pull request of ours merged, or closed without merging,
  ``RunReport.github["verdicts"]``) -> merged or declined.

A verdict is about a patch CID; the ledger's result with that CID says which function, method and
rules it was. Ids are stable (the ledger's run id and row id, the event's CID and history index),
so reading the same ledger twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from agentic_action.learning.families import family_of_edits
from agentic_action.learning.features import UNKNOWN, FunctionFeatures
from agentic_action.learning.store import Arm, Observation, Outcome
from agentic_action.ledger import Ledger, ResultRecord
from agentic_action.model import Status

VERDICT_EVENTS = {"patch.approved": Outcome.MERGED, "patch.rolled_back": Outcome.ROLLED_BACK}
GITHUB_VERDICTS = {"merged": Outcome.MERGED, "declined": Outcome.DECLINED}
_STATUS = {Status.ACCEPTED: Outcome.ACCEPTED, Status.REJECTED: Outcome.REJECTED}


def result_id(record: ResultRecord) -> str:
    return f"result:{record.run_id}:{record.id}"


def arm_of(record: ResultRecord) -> Arm:
    edits = record.details.get("edits") or []
    family = family_of_edits(str(e) for e in edits) if record.method == "rules" else ""
    return Arm(record.method, family)


def from_results(
    ledger: Ledger, features: Mapping[str, FunctionFeatures], repo: str, known: Iterable[str]
) -> list[Observation]:
    """Observations of the ledger's results whose id is not in ``known``."""
    seen = set(known)
    found = []
    for record in ledger.search(limit=None):
        oid = result_id(record)
        if oid in seen:
            continue
        key = f"{record.file}::{record.function}"
        found.append(
            Observation(
                id=oid,
                key=key,
                arm=arm_of(record),
                outcome=_STATUS.get(record.status, Outcome.ERROR),
                features=features.get(key, UNKNOWN),
                at=record.created_at,
                repo=repo,
            )
        )
    return found


def from_verdicts(
    ledger: Ledger,
    features: Mapping[str, FunctionFeatures],
    repo: str,
    github: Iterable[Mapping[str, Any]] = (),
) -> list[Observation]:
    """Maintainers' verdicts: the ledger's approval / rollback events and GitHub's."""
    verdicts: list[tuple[str, str, Outcome, float]] = []  # (id, cid, outcome, at)
    for kind, outcome in VERDICT_EVENTS.items():
        for event in ledger.events(kind=kind):
            cid = str(event.payload.get("cid") or "")
            index = event.payload.get("history_index", event.id)
            verdicts.append((f"{kind}:{cid}:{index}", cid, outcome, event.at))
    for item in github:
        said = GITHUB_VERDICTS.get(str(item.get("verdict")))
        cid = str(item.get("cid") or "")
        if said is not None and cid:
            at = float(item.get("at") or 0.0)
            verdicts.append((f"github-{said.value}:{cid}", cid, said, at))
    found = []
    for oid, cid, outcome, at in verdicts:
        records = ledger.search(cid=cid, limit=1) if cid else []
        if not records:
            continue  # a patch this ledger never recorded: nothing says what it was
        record = records[0]
        key = f"{record.file}::{record.function}"
        arm = arm_of(record)
        found.append(
            Observation(oid, key, arm, outcome, features.get(key, UNKNOWN), at=at, repo=repo)
        )
    return found
