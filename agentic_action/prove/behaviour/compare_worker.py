"""Sandboxed comparer: classify each recorded input from three replays (standard library only).

    python -m agentic_action.prove.behaviour.compare_worker --root ORIGINAL --file F \
        --inputs DIR --original A.jsonl --original-again B.jsonl --candidate C.jsonl \
        --out RESULT.json [--rel-tol X] [--extra-path P ...] [--exception-types-only]

Outcome pickles are untrusted (candidate code produced them), so they are only ever loaded here,
inside the sandbox, with the ORIGINAL worktree first on ``sys.path`` so classes resolve to the
original definitions. The parent reads back plain JSON: per input a status ``same``, ``differs``,
``nondeterministic`` (the two original runs disagree) or ``unusable``, with a detail text.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agentic_action.prove.behaviour.compare import describe, outcome_difference
from agentic_action.record import loader, store

Outcomes = dict[int, dict[str, Any]]
# With --exception-types-only (differential inputs, not recorded ones): an input on which the
# original ran out of stack or memory shows a limit of the original, not behaviour to preserve.
RESOURCE_LIMITS = ("builtins.RecursionError", "builtins.MemoryError")


def read_outcomes(path: Path) -> tuple[Outcomes, str | None]:
    """The finished calls by input index, and the load error if the target did not import."""
    done: Outcomes = {}
    error = None
    with contextlib.suppress(OSError), path.open(encoding="utf-8", errors="replace") as stream:
        for line in stream:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if not isinstance(record, dict):
                continue
            if record.get("event") == "load-error":
                error = str(record.get("error"))
            elif record.get("event") == "done" and isinstance(record.get("i"), int):
                done.setdefault(record["i"], record)
    return done, error


def classify(
    index: int,
    first: Outcomes,
    again: Outcomes,
    cand: Outcomes,
    rel_tol: float,
    *,
    messages: bool = True,
) -> dict[str, Any]:
    a, b, c = first.get(index), again.get(index), cand.get(index)
    shown = (a or c or {}).get("input", "")
    result: dict[str, Any] = {"i": index, "input": shown, "original": describe(a)}
    result["candidate"] = describe(c)
    if a is None or b is None:
        return {**result, "status": "unusable", "detail": "an original replay stopped before it"}
    if a.get("kind") in ("unloadable", "timeout"):
        return {**result, "status": "unusable", "detail": f"the original {describe(a)}"}
    if not messages and a.get("exc_type") in RESOURCE_LIMITS:
        why = f"the original {describe(a)} (a resource limit, not behaviour to keep)"
        return {**result, "status": "unusable", "detail": why}
    unstable = outcome_difference(a, b, rel_tol)
    if unstable:
        return {**result, "status": "nondeterministic", "detail": f"two original runs: {unstable}"}
    if c is None:
        return {**result, "status": "differs", "detail": "the candidate replay stopped before it"}
    found = outcome_difference(a, c, rel_tol, messages=messages)
    return {**result, "status": "differs" if found else "same", "detail": found or ""}


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="agentic_action.prove.behaviour.compare_worker")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--inputs", type=Path, required=True)
    parser.add_argument("--original", type=Path, required=True)
    parser.add_argument("--original-again", type=Path, required=True)
    parser.add_argument("--candidate", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rel-tol", type=float, default=0.0)
    parser.add_argument("--extra-path", action="append", default=[])
    parser.add_argument("--exception-types-only", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    ns = _parse(argv)
    count = len(store.inputs_in(ns.inputs))
    with contextlib.suppress(loader.TargetLoadError):  # classes then load by name, if at all
        loader.import_from_root(ns.root, ns.file, ns.extra_path)
    first, error_first = read_outcomes(ns.original)
    again, error_again = read_outcomes(ns.original_again)
    cand, error_cand = read_outcomes(ns.candidate)
    verdict = {
        "original_error": error_first or error_again,
        "candidate_error": error_cand,
        "inputs": [
            classify(i, first, again, cand, ns.rel_tol, messages=not ns.exception_types_only)
            for i in range(count)
        ],
    }
    ns.out.write_text(json.dumps(verdict), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
