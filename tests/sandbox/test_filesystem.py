"""A hostile child can write its worktree and nothing else of the host."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from gitrepos import git, make_repo
from sandbox_probes import run_hostile

from agentic_action.sandbox.runner import isolation_level

WRITE_PROBE = """
import json, shutil, subprocess
targets = {targets!r}

def attempt():
    results = {{}}
    for path in targets:
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write("written by a hostile candidate")
            results[path] = "written"
        except OSError as error:
            results[path] = type(error).__name__
    return results

first = attempt()
# As root, try to make the read-only host writable again, then write once more.
mount = shutil.which("mount")
remount = subprocess.run([mount, "-o", "remount,rw", "/"], capture_output=True) if mount else None
second = attempt()
print(json.dumps({{"first": first, "second": second,
                   "remount_rc": None if remount is None else remount.returncode}}))
"""

needs_bwrap = pytest.mark.skipif(
    isolation_level() != "bwrap",
    reason=f"file-system isolation needs bubblewrap; here: {isolation_level()}",
)


@pytest.fixture
def layout(outside_tmp: Path) -> dict[str, Path]:
    """A repository, its worktree beside it, and a home directory, all outside /tmp."""
    home = outside_tmp / "home"
    home.mkdir()
    repo = make_repo(outside_tmp / "repo", {"pkg/mod.py": "x = 1\n"})
    worktree = outside_tmp / "wt"
    git(repo, "worktree", "add", "-q", str(worktree))
    return {"home": home, "repo": repo, "worktree": worktree, "root": outside_tmp}


@needs_bwrap
def test_writing_outside_the_worktree_fails_even_after_a_remount_attempt(
    layout: dict[str, Path],
) -> None:
    name = f"hostile-{uuid.uuid4().hex}"
    outside = [
        layout["home"] / name,
        layout["repo"] / name,
        layout["repo"] / "pkg" / "mod.py",
        layout["repo"] / ".git" / "hooks" / "pre-commit",
        layout["root"] / name,
    ]
    code = WRITE_PROBE.format(targets=[str(p) for p in outside])
    outcome = run_hostile(code, layout["worktree"], env={"HOME": str(layout["home"])})

    report = outcome.report
    for attempt in ("first", "second"):
        results = report[attempt]
        assert isinstance(results, dict)
        assert set(results.values()) <= {"OSError", "PermissionError"}, results
    assert report["remount_rc"] != 0
    for path in outside:
        assert not path.exists() or "hostile" not in path.read_text(encoding="utf-8")
    assert (layout["repo"] / "pkg" / "mod.py").read_text(encoding="utf-8") == "x = 1\n"


def test_writing_inside_the_worktree_works(tmp_path: Path) -> None:
    target = tmp_path / "pkg" / "out.txt"
    target.parent.mkdir()
    outcome = run_hostile(WRITE_PROBE.format(targets=[str(target)]), tmp_path)
    assert outcome.report["first"] == {str(target): "written"}
    assert target.read_text(encoding="utf-8") == "written by a hostile candidate"


def test_an_extra_writable_directory_is_writable(tmp_path: Path, outside_tmp: Path) -> None:
    target = outside_tmp / "coverage.data"
    code = WRITE_PROBE.format(targets=[str(target)])
    outcome = run_hostile(code, tmp_path, writable=[outside_tmp])
    assert outcome.report["first"] == {str(target): "written"}
    assert target.exists()


@needs_bwrap
def test_the_childs_tmp_is_private(tmp_path: Path) -> None:
    host_file = Path("/tmp") / f"agentic-host-{uuid.uuid4().hex}"
    host_file.write_text("host secret", encoding="utf-8")
    child_file = Path("/tmp") / f"agentic-child-{uuid.uuid4().hex}"
    code = (
        "import json, os\n"
        f"open({str(child_file)!r}, 'w').write('x')\n"
        f"print(json.dumps({{'sees_host_file': os.path.exists({str(host_file)!r}),"
        f" 'wrote': os.path.exists({str(child_file)!r})}}))\n"
    )
    try:
        outcome = run_hostile(code, tmp_path)
    finally:
        host_file.unlink()
    assert outcome.report == {"sees_host_file": False, "wrote": True}
    assert not child_file.exists()


@needs_bwrap
def test_daemon_sockets_under_run_are_hidden(tmp_path: Path) -> None:
    listing = sorted(p.name for p in Path("/run").iterdir()) if Path("/run").is_dir() else []
    if not listing:
        pytest.skip("the host's /run is empty: nothing to hide")
    code = "import json, os\nprint(json.dumps(sorted(os.listdir('/run'))))\n"
    outcome = run_hostile(code, tmp_path)
    assert outcome.report == []


def test_git_in_a_worktree_cannot_rewrite_the_main_repository(layout: dict[str, Path]) -> None:
    if isolation_level() != "bwrap":
        pytest.skip(f"file-system isolation needs bubblewrap; here: {isolation_level()}")
    before = git(layout["repo"], "rev-parse", "HEAD")
    git_path = shutil.which("git")
    code = (
        "import json, subprocess\n"
        f"done = subprocess.run([{git_path!r}, '-c', 'user.name=x', '-c', 'user.email=x@x.invalid',"
        " 'commit', '--allow-empty', '-m', 'evil'],"
        " capture_output=True, text=True)\n"
        "print(json.dumps({'rc': done.returncode}))\n"
    )
    outcome = run_hostile(code, layout["worktree"])
    assert outcome.report["rc"] != 0
    assert git(layout["repo"], "rev-parse", "HEAD") == before
    assert "evil" not in git(layout["repo"], "log", "--all", "--format=%s")


@needs_bwrap
def test_a_worktree_inside_a_hidden_credential_folder_stays_usable(outside_tmp: Path) -> None:
    home = outside_tmp / "home"
    worktree = home / ".docker" / "wt"
    worktree.mkdir(parents=True)
    (home / ".docker" / "config.json").write_text('{"auths": {}}', encoding="utf-8")
    target = worktree / "out.txt"
    code = WRITE_PROBE.format(targets=[str(target)])
    outcome = run_hostile(code, worktree, env={"HOME": str(home)})
    assert outcome.report["first"] == {str(target): "written"}
