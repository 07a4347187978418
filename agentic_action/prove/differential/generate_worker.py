"""Sandboxed generator of differential inputs (standard library, plus hypothesis when installed).

    python -m agentic_action.prove.differential.generate_worker --root ORIGINAL --file F \
        --qualname Q --recorded DIR --out DIR --manifest M.json [--max-inputs N] \
        [--max-bytes B] [--hypothesis N] [--cases CASES.py] [--extra-path P ...]
    python -m agentic_action.prove.differential.generate_worker --root ORIGINAL --file F \
        --qualname Q --shrink INPUT.pkl --out DIR --manifest M.json [--extra-path P ...]

Reads the recorded inputs (untrusted pickles: only ever loaded here, inside the sandbox) and
writes input files for the behaviour replay worker into ``--out``, in this order: the model's
own edge cases (``--cases``: code defining ``edge_cases()`` -> [(args, kwargs), ...]), mutations
of each recorded call taken in turn (see ``mutate``), then hypothesis draws shaped by the
recorded values' runtime types (see ``strategies``). ``--shrink``: smaller versions of one
differing input instead. The manifest says where each input came from and what was skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import pickle
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from agentic_action.prove.differential.mutate import call_variants, reference_call, substitutes
from agentic_action.prove.differential.shrink import smaller_calls
from agentic_action.record import byvalue, loader, store

Call = tuple[tuple[Any, ...], dict[str, Any]]
MAX_CASES = 60  # edge cases taken from the model's code
SHRINK_LIMIT = 40  # smaller calls written per shrink round
SHAPES = 4  # recorded calls (of distinct runtime shapes) hypothesis draws around
PICKLE_RECURSION = 20_000


class Writer:
    """Input files in replay order, each call pickled at once (so later mutations of shared
    elements cannot leak into it), duplicates and oversized ones left out."""

    def __init__(self, out: Path, limit: int, max_bytes: int) -> None:
        self.out, self.limit, self.max_bytes = out, limit, max_bytes
        self.origins: list[dict[str, Any]] = []
        self.seen: set[str] = set()
        self.counts = {"duplicates": 0, "too_large": 0, "uncopyable": 0}

    @property
    def full(self) -> bool:
        return len(self.origins) >= self.limit

    def add(self, args: Any, kwargs: Any, origin: dict[str, Any]) -> bool:
        if self.full or not isinstance(args, tuple | list) or not isinstance(kwargs, dict):
            return False
        try:
            data = byvalue.dumps((tuple(args), dict(kwargs)), protocol=store.PICKLE_PROTOCOL)
        except Exception:  # the value cannot be copied: skipped, counted
            self.counts["uncopyable"] += 1
            return False
        digest = hashlib.sha256(data).hexdigest()[:16]
        if len(data) > self.max_bytes:
            self.counts["too_large"] += 1
            return False
        if digest in self.seen:
            self.counts["duplicates"] += 1
            return False
        self.seen.add(digest)
        (self.out / store.input_name(len(self.origins), data)).write_bytes(data)
        self.origins.append({**origin, "id": digest})
        return True

    def reference(self, args: tuple[Any, ...], kwargs: dict[str, Any], index: int) -> str | None:
        """The id of the input for this call, stored now unless it already is (None: it
        cannot be stored)."""
        try:
            data = byvalue.dumps((tuple(args), dict(kwargs)), protocol=store.PICKLE_PROTOCOL)
        except Exception:
            return None
        digest = hashlib.sha256(data).hexdigest()[:16]
        if digest in self.seen or self.add(args, kwargs, {"source": "reference", "from": index}):
            return digest
        return None


def recorded_calls(folder: Path) -> tuple[list[Call], int]:
    """The recorded calls that load, and how many did not (skipped, counted)."""
    calls: list[Call] = []
    failed = 0
    for path in sorted(folder.glob(f"*{store.INPUT_SUFFIX}")):
        try:
            args, kwargs = pickle.loads(path.read_bytes())
            calls.append((tuple(args), dict(kwargs)))
        except Exception:
            failed += 1
    return calls, failed


def edge_cases(path: Path) -> tuple[list[Any], str | None]:
    namespace: dict[str, Any] = {"__name__": "agentic_edge_cases"}
    try:
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
        return list(itertools.islice(namespace["edge_cases"](), MAX_CASES)), None
    except Exception as error:  # the model's code is what failed: report it, keep going
        return [], f"edge_cases() failed: {type(error).__name__}: {error}"


def add_edge_cases(writer: Writer, path: Path) -> dict[str, Any]:
    cases, error = edge_cases(path)
    stored = 0
    for number, case in enumerate(cases):
        pair = case if isinstance(case, tuple | list) and len(case) == 2 else (case, {})
        stored += writer.add(pair[0], pair[1], {"source": "llm", "kind": f"edge case #{number}"})
    return {"stored": stored, "offered": len(cases), **({"error": error} if error else {})}


def add_mutations(writer: Writer, calls: list[Call], first: int, reserve: int) -> dict[str, Any]:
    """One mutation of each recorded call in turn, so every call gets its share of the limit."""
    streams = [_mutations(i, call, first) for i, call in enumerate(calls)]
    stored = 0
    unmutated = sum(1 for call in calls if not call_variants(call[0], call[1], first))
    for item in _round_robin(streams):
        if len(writer.origins) >= writer.limit - reserve:
            break
        args, kwargs, origin = item
        if substitutes(origin["kind"]):  # judged only where the original keeps its outcome
            index = int(origin["from"])
            ref = writer.reference(*reference_call(origin["kind"], *calls[index]), index)
            if ref is None:
                continue
            origin = {**origin, "reference": ref}
        stored += writer.add(args, kwargs, origin)
    return {"stored": stored, "unmutated_calls": unmutated}


def _mutations(index: int, call: Call, first: int) -> Iterator[tuple[Any, Any, dict[str, Any]]]:
    for label, args, kwargs in call_variants(call[0], call[1], first):
        yield args, kwargs, {"source": "mutation", "kind": label, "from": index}


def _round_robin(streams: list[Iterator[Any]]) -> Iterator[Any]:
    live = list(streams)
    while live:
        for stream in list(live):
            item = next(stream, None)
            if item is None:
                live.remove(stream)
            else:
                yield item


def add_hypothesis(writer: Writer, calls: list[Call], first: int, count: int) -> dict[str, Any]:
    try:
        import hypothesis  # noqa: F401  (the repository's interpreter may not have it)
    except ImportError:
        return {"stored": 0, "error": "hypothesis is not installed in the repository's Python"}
    from agentic_action.prove.differential.strategies import draw_calls

    shapes = _distinct_shapes(calls)[:SHAPES]
    stored, per_shape = 0, max(1, count // max(1, len(shapes)))
    for index, call in shapes:
        try:
            drawn = draw_calls(call[0], call[1], per_shape, first)
        except Exception as error:  # hypothesis refused the shape: report it, keep going
            return {"stored": stored, "error": f"{type(error).__name__}: {error}"[:300]}
        for args, kwargs in drawn:
            stored += writer.add(args, kwargs, {"source": "hypothesis", "from": index})
    return {"stored": stored}


def _distinct_shapes(calls: list[Call]) -> list[tuple[int, Call]]:
    by_shape: dict[str, tuple[int, Call]] = {}
    for i, call in enumerate(calls):
        by_shape.setdefault(_shape(call), (i, call))
    return list(by_shape.values())


def _shape(value: Any) -> str:
    if isinstance(value, list | tuple | set | frozenset):
        inner = sorted({_shape(v) for v in itertools.islice(value, 5)})
        return f"{type(value).__name__}[{','.join(inner)}]"
    if isinstance(value, dict):
        return f"dict[{_shape(list(value)[:5])}:{_shape(list(value.values())[:5])}]"
    return type(value).__name__


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="agentic_action.prove.differential.generate_worker")
    for name in ("--root", "--file", "--qualname", "--out", "--manifest"):
        parser.add_argument(name, required=True)
    parser.add_argument("--recorded")
    parser.add_argument("--shrink")
    parser.add_argument("--cases")
    parser.add_argument("--max-inputs", type=int, default=150)
    parser.add_argument("--max-bytes", type=int, default=100_000)
    parser.add_argument("--hypothesis", type=int, default=0)
    parser.add_argument("--extra-path", action="append", default=[])
    return parser.parse_args(argv)


def _first_argument(ns: argparse.Namespace) -> int:
    """1 for a method or a property's getter (the first recorded argument is the instance:
    never mutated), else 0."""
    try:
        loaded = loader.load_target(Path(ns.root), ns.file, ns.qualname, ns.extra_path)
    except loader.TargetLoadError:
        return 0
    return 1 if loaded.kind in ("method", "property", "cached_property") else 0


def generate(ns: argparse.Namespace, writer: Writer, first: int) -> dict[str, Any]:
    calls, unloadable = recorded_calls(Path(ns.recorded)) if ns.recorded else ([], 0)
    report: dict[str, Any] = {"recorded": len(calls), "unloadable": unloadable}
    if ns.cases:
        report["llm"] = add_edge_cases(writer, Path(ns.cases))
    reserve = min(ns.hypothesis, writer.limit // 4) if calls else 0
    report["mutation"] = add_mutations(writer, calls, first, reserve)
    if reserve:
        report["hypothesis"] = add_hypothesis(writer, calls, first, reserve)
    return report


def shrink(ns: argparse.Namespace, writer: Writer, first: int) -> dict[str, Any]:
    args, kwargs = pickle.loads(Path(ns.shrink).read_bytes())
    for call in smaller_calls(tuple(args), dict(kwargs), first)[: SHRINK_LIMIT * 2]:
        writer.add(call[0], call[1], {"source": "shrink"})
    return {}


def main(argv: Sequence[str] | None = None) -> int:
    ns = _parse(argv)
    sys.setrecursionlimit(PICKLE_RECURSION)  # deeply nested inputs must pickle
    out = Path(ns.out)
    out.mkdir(parents=True, exist_ok=True)
    limit = SHRINK_LIMIT if ns.shrink else ns.max_inputs
    writer = Writer(out, limit, ns.max_bytes)
    with contextlib.suppress(loader.TargetLoadError):  # recorded classes then load by name
        loader.import_from_root(Path(ns.root), ns.file, ns.extra_path)
    first = _first_argument(ns)
    report = shrink(ns, writer, first) if ns.shrink else generate(ns, writer, first)
    report.update(writer.counts, inputs=writer.origins)
    Path(ns.manifest).write_text(json.dumps(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
