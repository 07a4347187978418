"""Sandboxed worker: adversarial inputs for one target, written as behaviour-oracle input files.

    python -m agentic_action.methods._edge_worker --root TREE --file F --qualname Q --key K \
        --inputs DIR --report OUT.json [--cases CASES.py] [--hypothesis N]

``--cases``: LLM-written code defining ``edge_cases()`` -> [(args, kwargs), ...] (untrusted: this
worker only ever runs inside the sandbox). ``--hypothesis N``: N examples drawn by hypothesis
from the target's annotations (``st.from_type`` per parameter without a default; derandomized,
so the same signature gives the same inputs). Each input is pickled into the inputs directory in
the layout of :mod:`agentic_action.record.store`. Standard library, plus hypothesis when
asked for and installed.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import inspect
import json
import pickle
import sys
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from agentic_action.record import loader, store

MAX_CASES = 200
MAX_INPUT_BYTES = 1_000_000
DUPLICATE = "duplicate"


class Writer:
    def __init__(self, inputs: Path, key: str) -> None:
        self.inputs = inputs
        self.key = key
        self.seen = {p.name.split("-", 1)[1] for p in store.input_files(inputs, key)}
        self.count = len(self.seen)

    def add(self, args: Any, kwargs: Any) -> str | None:
        """None when stored, DUPLICATE for an input seen before, else why it was not usable."""
        if not isinstance(args, tuple | list) or not isinstance(kwargs, dict):
            return f"not an (args, kwargs) pair: {type(args).__name__}, {type(kwargs).__name__}"
        try:
            data = pickle.dumps((tuple(args), dict(kwargs)), protocol=store.PICKLE_PROTOCOL)
        except Exception as error:
            return f"cannot be pickled: {type(error).__name__}"
        if len(data) > MAX_INPUT_BYTES:
            return "larger than 1 MB"
        name = store.input_name(self.count, data).split("-", 1)[1]
        if name in self.seen:
            return DUPLICATE
        self.seen.add(name)
        store.write_input_bytes(self.inputs, self.key, self.count, data)
        self.count += 1
        return None


def llm_cases(path: Path, writer: Writer) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "agentic_edge_cases"}
    try:
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
        cases = list(namespace["edge_cases"]())
    except Exception as error:  # the LLM's code is what failed: report it, keep going
        return {"stored": 0, "error": f"edge_cases() failed: {type(error).__name__}: {error}"}
    return _counts([writer.add(*_pair(case)) for case in cases[:MAX_CASES]])


def _counts(problems: list[str | None]) -> dict[str, Any]:
    bad = [p for p in problems if p and p != DUPLICATE]
    return {
        "stored": problems.count(None),
        "duplicates": problems.count(DUPLICATE),
        "unusable": len(bad),
        "problems": bad[:5],
    }


def _pair(case: Any) -> tuple[Any, Any]:
    if isinstance(case, tuple | list) and len(case) == 2:
        return case[0], case[1]
    return case, None


def hypothesis_cases(func: Callable[..., Any], count: int, writer: Writer) -> dict[str, Any]:
    try:
        from hypothesis import HealthCheck, given, settings
        from hypothesis import strategies as st
    except ImportError:
        return {"stored": 0, "error": "hypothesis is not installed in the test interpreter"}
    try:
        hints = typing.get_type_hints(func)
        params = [
            p
            for p in inspect.signature(func).parameters.values()
            if p.default is inspect.Parameter.empty
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
    except Exception as error:
        return {"stored": 0, "error": f"signature unreadable: {type(error).__name__}: {error}"}
    missing = [p.name for p in params if p.name not in hints]
    if missing:
        return {"stored": 0, "error": f"no annotation for parameter(s) {', '.join(missing)}"}
    strategies = [st.from_type(hints[p.name]) for p in params]
    drawn: list[tuple[Any, ...]] = []

    @settings(
        max_examples=count, database=None, derandomize=True, deadline=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(st.tuples(*strategies))
    def collect(values: tuple[Any, ...]) -> None:
        drawn.append(copy.deepcopy(values))

    try:
        collect()
    except Exception as error:
        return {"stored": 0, "error": f"hypothesis failed: {type(error).__name__}: {error}"}
    return _counts([writer.add(values, {}) for values in drawn[:MAX_CASES]])


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="agentic-edge-worker")
    for name in ("--root", "--file", "--qualname", "--key", "--inputs", "--report"):
        parser.add_argument(name, required=True)
    parser.add_argument("--cases")
    parser.add_argument("--hypothesis", type=int, default=0)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    writer = Writer(Path(args.inputs), args.key)
    report: dict[str, Any] = {}
    if args.cases:
        report["llm"] = llm_cases(Path(args.cases), writer)
    if args.hypothesis > 0:
        try:
            loaded = loader.load_target(Path(args.root), args.file, args.qualname)
        except Exception as error:
            report["hypothesis"] = {"stored": 0, "error": f"target not loadable: {error}"}
        else:
            if loaded.kind in ("function", "staticmethod"):
                func = getattr(loaded.raw, "__func__", loaded.raw)
                report["hypothesis"] = hypothesis_cases(func, args.hypothesis, writer)
            else:
                report["hypothesis"] = {"stored": 0, "error": f"a {loaded.kind}: no instance"}
    report["total"] = writer.count
    report["digest"] = hashlib.sha256(str(sorted(writer.seen)).encode()).hexdigest()[:16]
    Path(args.report).write_text(json.dumps(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
