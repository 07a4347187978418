"""Import cycles and layering violations, from grimp's import graph (the engine of
import-linter; the ``architecture`` extra installs it). Files are parsed, never imported.

Cycles: modules are grouped by the package (or module) directly under their top-level package,
and a strongly connected group of two or more is a cycle; grimp's ``nominate_cycle_breakers``
names the fewest imports whose removal breaks them all. Layers: the repository's own
import-linter ``layers`` contracts (``[tool.importlinter]`` in pyproject.toml) are checked with
``find_illegal_dependencies_for_layers``; a repository that declares none gets no layer check.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from agentic_action.architecture.findings import Evidence, Finding, Kind

SKIP_DIRS = frozenset({"tests", "test", "docs", "examples", "benchmarks", "scripts", "build"})


def packages(root: Path) -> tuple[Path, list[str]]:
    """The folder the top-level packages live in (the root or ``src``) and their names."""
    for base in (root / "src", root):
        names = sorted(
            d.name
            for d in base.iterdir()
            if d.is_dir()
            and (d / "__init__.py").is_file()
            and d.name not in SKIP_DIRS
            and d.name.isidentifier()
        ) if base.is_dir() else []  # fmt: skip
        if names:
            return base, names
    return root, []


@contextlib.contextmanager
def _importable(base: Path, names: Sequence[str]) -> Iterator[None]:
    """``base`` first on sys.path, and any same-named module already loaded set aside, so that
    grimp finds the repository's packages and not an installed namesake."""
    saved = {n: sys.modules.pop(n) for n in list(sys.modules) if n.split(".")[0] in names}
    sys.path.insert(0, str(base))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(str(base))
        for name in [n for n in sys.modules if n.split(".")[0] in names]:
            del sys.modules[name]
        sys.modules.update(saved)
        importlib.invalidate_caches()


def build_graph(base: Path, names: Sequence[str]) -> Any:
    import grimp

    with _importable(base, names):
        return grimp.build_graph(*names, cache_dir=None, exclude_type_checking_imports=True)


def module_file(base: Path, root: Path, module: str) -> str:
    path = base / Path(*module.split("."))
    found = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return found.relative_to(root).as_posix()


def cycles(graph: Any, base: Path, root: Path, names: Sequence[str]) -> list[Finding]:
    found = []
    for package in names:
        groups = _groups(graph, package)
        for component in _components(groups):
            if len(component) < 2:
                continue
            found.append(_cycle_finding(graph, base, root, package, sorted(component)))
    return found


def _groups(graph: Any, package: str) -> dict[str, set[str]]:
    """child -> the children it imports (a child: a module or package right under package)."""

    def child(module: str) -> str | None:
        parts = module.split(".")
        if parts[0] != package or len(parts) < 2:
            return None
        return ".".join(parts[:2])

    edges: dict[str, set[str]] = {}
    for module in graph.find_descendants(package):
        source = child(module)
        if source is None:
            continue
        edges.setdefault(source, set())
        for imported in graph.find_modules_directly_imported_by(module):
            target = child(imported)
            if target is not None and target != source:
                edges[source].add(target)
    return edges


def _components(edges: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[set[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for nxt in children:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, ())))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.add(top)
                    if top == node:
                        break
                result.append(component)
    return result


def _cycle_finding(graph: Any, base: Path, root: Path, package: str, members: list[str]) -> Finding:
    breakers = []
    for importer, imported in sorted(graph.nominate_cycle_breakers(package)):
        if any(importer.startswith(m) for m in members) and any(
            imported.startswith(m) for m in members
        ):
            breakers.append((importer, imported))
    evidence = [
        Evidence(
            module_file(base, root, importer),
            int(detail["line_number"]),
            str(detail["line_contents"]),
        )
        for importer, imported in breakers[:8]
        for detail in graph.get_import_details(importer=importer, imported=imported)[:1]
    ]
    names = " <-> ".join(m.split(".")[-1] for m in members)
    shown = ", ".join(f"{a} -> {b}" for a, b in breakers[:4]) or "(none named)"
    return Finding(
        kind=Kind.IMPORT_CYCLE,
        subject=",".join(members),
        title=f"Import cycle between {names}",
        summary=(
            f"{len(members)} parts of {package} import each other ({', '.join(members)}); "
            f"the fewest imports whose removal breaks the cycle: {len(breakers)}."
        ),
        proposal=(
            f"Decide which of {', '.join(members)} is the lower layer. Invert the imports "
            f"{shown}: move the names they need into the lower part (or a new small module "
            "both import), or have the lower part depend on a Protocol it defines and the "
            "higher part implements. Then add an import-linter layers contract so it stays so."
        ),
        evidence=tuple(evidence),
        figures={"modules": len(members), "imports_to_invert": len(breakers)},
        score=10.0 + len(members),
    )


def layer_contracts(root: Path) -> list[dict[str, Any]]:
    path = root / "pyproject.toml"
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return []
    table = data.get("tool", {}).get("importlinter", {})
    contracts = table.get("contracts", []) if isinstance(table, dict) else []
    return [c for c in contracts if isinstance(c, dict) and c.get("type") == "layers"]


def _layers(spec: Sequence[str]) -> list[Any]:
    import grimp

    layers: list[Any] = []
    for line in spec:
        text = str(line).strip().strip("()")
        for sep, independent in (("|", True), (":", False)):
            if sep in text:
                parts = [p.strip() for p in text.split(sep) if p.strip()]
                layers.append(grimp.Layer(*parts, independent=independent))
                break
        else:
            layers.append(text)
    return layers


def layer_violations(graph: Any, base: Path, root: Path, contract: dict[str, Any]) -> list[Finding]:
    containers = {str(c) for c in contract.get("containers", [])} or None
    illegal = graph.find_illegal_dependencies_for_layers(
        layers=_layers(contract.get("layers", [])), containers=containers
    )
    found = []
    for dependency in sorted(illegal, key=lambda d: (d.importer, d.imported)):
        evidence = []
        for route in list(dependency.routes)[:3]:
            head = sorted(route.heads)[0]
            nxt = route.middle[0] if route.middle else sorted(route.tails)[0]
            for detail in graph.get_import_details(importer=head, imported=nxt)[:1]:
                line = int(detail["line_number"])
                evidence.append(
                    Evidence(module_file(base, root, head), line, str(detail["line_contents"]))
                )
        name = str(contract.get("name", "layers"))
        found.append(
            Finding(
                kind=Kind.LAYER_VIOLATION,
                subject=f"{name}:{dependency.importer}->{dependency.imported}",
                title=f"{dependency.importer} imports the higher layer {dependency.imported}",
                summary=(
                    f"The contract {name!r} puts {dependency.imported} above "
                    f"{dependency.importer}, but {len(dependency.routes)} import chain(s) go "
                    "from the lower layer up."
                ),
                proposal=(
                    f"Move what {dependency.importer} needs from {dependency.imported} down into "
                    f"{dependency.importer} (or a layer below both), or pass it in from the "
                    "higher layer (a parameter, a callback, a Protocol the lower layer owns)."
                ),
                evidence=tuple(evidence),
                figures={"chains": len(dependency.routes)},
                score=12.0,
            )
        )
    return found
