"""The one lease heartbeat: while a block runs, renew the leases of the ledger tasks it holds."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from agentic_action.ledger import Ledger

log = logging.getLogger("agentic_action")


@contextmanager
def leases_renewed(
    ledger: Ledger, task_ids: Iterable[int], owner: str, lease_seconds: float
) -> Iterator[None]:
    """Renew every task's lease each third of a lease until the block ends. A failed renewal is
    logged and tried again at the next beat (the lease still has two thirds left)."""
    ids = list(task_ids)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(lease_seconds / 3):
            for task_id in ids:
                try:
                    ledger.queue.heartbeat(task_id, owner, lease_seconds)
                except Exception:  # a missed beat is retried at the next one
                    log.warning("heartbeat for task %s failed", task_id, exc_info=True)

    thread = threading.Thread(target=beat, name="lease-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
