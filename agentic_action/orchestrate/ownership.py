"""Who works on which function: two agents never work on the same function at once.

With a ledger, ownership is the ledger's task queue: every process plans the same functions,
adds them to one pool (``waves:<base commit>:<focus>:<method>``; an open or finished task of the
pool is never added twice), and claims them. A claim is one ``BEGIN IMMEDIATE`` transaction and
the queue refuses a function while any task of it is claimed, so concurrent processes (on one
machine, sharing the file) get disjoint functions. Claims carry a lease that a heartbeat thread
renews while the wave runs; a process that dies loses its claims when the lease runs out.

Without a ledger, one process owns everything it plans: claims only skip what it already did.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from agentic_action.model import FunctionTarget
from agentic_action.orchestrate.lease import leases_renewed

if TYPE_CHECKING:
    from agentic_action.ledger import Ledger

log = logging.getLogger("agentic_action")
LEASE_SECONDS = 600.0


@dataclass(frozen=True)
class Claim:
    target: FunctionTarget
    task_id: int | None = None


class Ownership(Protocol):
    def claim(self, size: int) -> list[Claim]: ...

    def finish(self, claim: Claim, result_ids: Sequence[int]) -> None: ...

    def release(self, claim: Claim, reason: str) -> None: ...

    def held(self, claims: Sequence[Claim]) -> AbstractContextManager[None]: ...


@dataclass
class LocalOwnership:
    """One process, no ledger: the plan in rank order, minus what is done or held."""

    plan: list[FunctionTarget]
    _taken: set[str] = field(default_factory=set)

    def claim(self, size: int) -> list[Claim]:
        free = [t for t in self.plan if t.key not in self._taken][:size]
        self._taken.update(t.key for t in free)
        return [Claim(t) for t in free]

    def finish(self, claim: Claim, result_ids: Sequence[int]) -> None:
        return None  # stays taken: done

    def release(self, claim: Claim, reason: str) -> None:
        self._taken.discard(claim.target.key)

    @contextmanager
    def held(self, claims: Sequence[Claim]) -> Iterator[None]:
        yield


class LedgerOwnership:
    """The ledger's task queue as the owner of functions, shared by processes."""

    def __init__(
        self,
        ledger: Ledger,
        plan: list[FunctionTarget],
        *,
        pool: str,
        method: str,
        run_id: str | None,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.ledger = ledger
        self.plan = {t.key: t for t in plan}
        self.pool, self.method, self.run_id = pool, method, run_id
        self.lease_seconds = lease_seconds
        self.owner = f"{socket.gethostname()}-{os.getpid()}"
        self._enqueue(plan)

    def _enqueue(self, plan: list[FunctionTarget]) -> None:
        with self.ledger.batch():
            for rank, target in enumerate(plan):
                known = self.ledger.queue.list(
                    run_id=self.pool, file=target.file, function=target.qualname
                )
                if any(task.method == self.method for task in known):
                    continue
                self.ledger.queue.add(
                    target.file,
                    target.qualname,
                    method=self.method,
                    priority=float(len(plan) - rank),
                    run_id=self.pool,
                    payload={"added_by": self.owner, "run_id": self.run_id},
                )

    def claim(self, size: int) -> list[Claim]:
        claims: list[Claim] = []
        while len(claims) < size:
            task = self.ledger.queue.claim(
                self.owner, run_id=self.pool, method=self.method, lease_seconds=self.lease_seconds
            )
            if task is None:
                break
            target = self.plan.get(task.key)
            if target is None:  # the pool's name includes the plan: cannot happen
                self.ledger.queue.fail(task.id, self.owner, "not in this process's plan")
                break
            claims.append(Claim(target, task.id))
        return claims

    def finish(self, claim: Claim, result_ids: Sequence[int]) -> None:
        """Complete the claim's task with its last recorded result (the run's RunHistory
        recorded the results, linked to the task)."""
        assert claim.task_id is not None
        result_id = result_ids[-1] if result_ids else None
        if not self.ledger.queue.complete(claim.task_id, self.owner, result_id=result_id):
            log.warning(
                "task %s (%s) was no longer ours to complete", claim.task_id, claim.target.key
            )

    def release(self, claim: Claim, reason: str) -> None:
        assert claim.task_id is not None
        self.ledger.queue.fail(claim.task_id, self.owner, reason, retry=True)

    def held(self, claims: Sequence[Claim]) -> AbstractContextManager[None]:
        """Renew the claims' leases every third of a lease while the block runs."""
        ids = [claim.task_id for claim in claims if claim.task_id is not None]
        return leases_renewed(self.ledger, ids, self.owner, self.lease_seconds)
