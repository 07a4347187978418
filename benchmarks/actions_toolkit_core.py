"""actions-toolkit's ``core`` against our workflow_commands, on the cases tests/action checks.

    pip install --no-deps --target /work/cache/atk actions-toolkit==0.1.15
    python benchmarks/actions_toolkit_core.py --site /work/cache/atk

``--site``: a directory actions-toolkit is installed into (kept out of this project's venv: it
installs a top-level ``tests`` package that would shadow ours). Prints one row per case: what
our module writes, whether the toolkit writes the same, and what it writes. docs/action.md
("Workflow commands: why not actions-toolkit") records the outcome.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agentic_action.action.inputs import input_value
from agentic_action.action.workflow_commands import Annotation, Commands

MESSAGE = "line one\nline two: 100% sure, really\r\n::error::injected"
SECRET = "first-line-secret\nsecond-line-secret"


def printed(action: Callable[[], object]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        action()
    return out.getvalue().replace(os.linesep, "\n")


def cases(core: Any) -> list[tuple[str, bool, str]]:
    rows: list[tuple[str, bool, str]] = []
    ours = Annotation("warning", MESSAGE, "t: a, b", "src/a,b:c%d.py", 12, 14).render() + "\n"
    theirs = printed(lambda: core.warning(MESSAGE, title="t: a, b", file="src/a,b:c%d.py",
                                          start_line=12, end_line=14))  # fmt: skip
    rows.append(("annotation with file, line, endLine", ours == theirs, theirs.strip()))
    commands = Commands(io.StringIO())
    commands.mask(SECRET)
    theirs = printed(lambda: core.set_secret(SECRET))
    rows.append(("a multi-line secret masked line by line",
                 commands.stream.getvalue() == theirs, theirs.strip()))  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.pop("GITHUB_OUTPUT", None)  # ours is given the env; the toolkit reads this
        theirs = printed(lambda: core.set_output("accepted", "2"))
        rows.append(("output to the given env's GITHUB_OUTPUT", False, theirs.strip()))
        os.environ["GITHUB_OUTPUT"] = str(Path(tmp) / "missing")
        try:
            core.set_output("accepted", "2")
            said = "wrote it"
        except Exception as error:
            said = f"{type(error).__name__}: {error}"
        rows.append(("GITHUB_OUTPUT names a missing file", False, said))
        del os.environ["GITHUB_OUTPUT"]
    os.environ["INPUT_MAX_AGENTS"] = "3"  # as the composite action passes max-agents
    theirs = core.get_input("max-agents")
    ours_input = input_value({"INPUT_MAX_AGENTS": "3"}, "max-agents")
    rows.append(("input max-agents from INPUT_MAX_AGENTS", theirs == ours_input, repr(theirs)))
    theirs = printed(lambda: (core.start_group("a:b"), core.end_group()))
    rows.append(("a group", theirs == "::group::a:b\n::endgroup::\n", theirs.strip()))
    spec = importlib.util.find_spec("tests")
    rows.append(("installs no top-level `tests` package", spec is None or "site" not in
                 str(spec.origin), str(spec.origin if spec else None)))  # fmt: skip
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, required=True, help="where actions-toolkit is")
    args = parser.parse_args()
    sys.path.insert(0, str(args.site))
    from actions_toolkit import core  # type: ignore[import-not-found]

    print("| case | toolkit same as ours | toolkit writes |")
    print("|---|---|---|")
    rows = cases(core)
    for name, same, detail in rows:
        print(f"| {name} | {'yes' if same else 'NO'} | `{detail[:110]}` |")
    print(f"\n{sum(not same for _, same, _ in rows)} of {len(rows)} cases differ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
