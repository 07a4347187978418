"""``command: architecture`` in the Action: entrypoint.py as a runner starts it."""

from __future__ import annotations

import json
from pathlib import Path

from action_events import workflow_dispatch
from action_runner import ActionRunner, make_workspace


def test_the_action_command_architecture_writes_the_section_and_no_patch(tmp_path: Path) -> None:
    source = tmp_path / "src" / "lib"
    source.mkdir(parents=True)
    (source / "__init__.py").write_text("")
    (source / "m.py").write_text("X = 1\n")
    workspace = make_workspace(tmp_path, source.parent)
    runner = ActionRunner(tmp_path, workspace)
    done = runner.run(
        "workflow_dispatch",
        workflow_dispatch({"command": "architecture"}),
        inputs={"command": "architecture", "mode": "patch"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.outputs["command"] == "architecture" and done.outputs["outcome"] == "completed"
    section = json.loads(Path(done.outputs["report-path"]).read_text())["architecture"]
    assert section["mode"] == "patch" and section["findings"] == []
    assert "## agentic-optimizer: architecture" in done.summary
    assert not (runner.out / "patches").exists()
