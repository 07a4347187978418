"""The package works with its base dependencies only: every extra is imported when it is used.

A virtual environment with pyproject.toml's ``[project.dependencies]`` at requirements.lock's
versions, and nothing else (no ``--system-site-packages``, no extra), is built once per content
of those two files and this Python, and kept under ``~/.cache/agentic-optimizer-tests/``
(``AO_TEST_CACHE`` moves it); pip's own settings apply (index, find-links). The package itself
comes from this tree, so the cached environment serves every checkout. In it, every module of
``agentic_action`` must import, and a feature whose extra is missing must say which extra to
install when it is used.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

from agentic_action.extras import MissingExtraError, install_hint, require

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("AO_TEST_CACHE", Path.home() / ".cache" / "agentic-optimizer-tests"))
STALE_SECONDS = 14 * 24 * 3600  # cached environments of other lock files unused this long go
# One module of each extra, and the dev-only tools: none may be importable in the base install.
NOT_IN_BASE = (
    "ipfshttpclient",  # ipfs
    "litellm",  # llm
    "jinja2",  # llm
    "mypy",  # checks
    "semgrep",  # checks
    "scipy",  # checks
    "grimp",  # architecture
    "numpy",  # checks
    "hypothesis",  # dev
    "importlinter",  # dev
)

PROBE = r"""
import importlib, importlib.util, json, pkgutil, sys, tempfile
from pathlib import Path

root, not_in_base = sys.argv[1], sys.argv[2].split(",")
sys.path.insert(0, root)
out = {"present": [m for m in not_in_base if importlib.util.find_spec(m) is not None]}
import agentic_action

out["package_file"] = agentic_action.__file__
walked, failed = ["agentic_action"], {}  # imported above
def walk_error(name):
    failed.setdefault(name, "pkgutil.walk_packages could not import it")
for info in pkgutil.walk_packages(agentic_action.__path__, "agentic_action.", walk_error):
    if info.name.rsplit(".", 1)[-1] == "__main__":  # runs the CLI when imported
        continue
    walked.append(info.name)
    try:
        importlib.import_module(info.name)
    except BaseException as error:
        failed[info.name] = f"{type(error).__name__}: {error}"
out["walked"], out["failed"] = walked, failed
out["loaded"] = sorted({name.split(".")[0] for name in sys.modules} & set(not_in_base))

def message(call):
    try:
        call()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return "no error"

from agentic_action.llm import _litellm, prompts
from agentic_action.prove import static_tools
from agentic_action.publish.ipfs import IpfsClient

target = prompts.PromptTarget("m.py", "f", "m", "def f():\n    pass\n", "")
out["used"] = {
    "ipfs": message(lambda: IpfsClient.from_multiaddr("/ip4/127.0.0.1/tcp/5001")),
    "litellm": message(_litellm.load),
    "prompts": message(lambda: prompts.render_prompt("adversarial", target)),
}
with tempfile.TemporaryDirectory() as work:
    job = static_tools.ToolJob(Path(work), ("m.py",), 10.0, None, Path(work))
    out["semgrep"] = static_tools.run_tool("semgrep", job).detail
print(json.dumps(out))
"""


def cache_key() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    digest = hashlib.sha256()
    digest.update(json.dumps(project["dependencies"]).encode())
    digest.update((ROOT / "requirements.lock").read_bytes())
    digest.update(f"{sys.version}\0{getattr(sys, '_base_executable', sys.executable)}".encode())
    return digest.hexdigest()[:16]


def base_venv() -> Path:
    """The cached base-only environment for this lock file and pyproject.toml (built if absent)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    venv = CACHE / f"base-{cache_key()}"
    with (CACHE / f"{venv.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder; the others wait, then reuse its result
        if not (venv / "bin" / "python").exists():
            _prune_stale()
            build = Path(tempfile.mkdtemp(prefix=f"{venv.name}.building-", dir=CACHE))
            try:
                _build(build)
                build.rename(venv)  # only a complete environment ever has the final name
            finally:
                shutil.rmtree(build, ignore_errors=True)
    os.utime(venv)
    return venv


def _build(venv: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "--no-input"]
    argv = [*pip, "install", "--quiet", "-c", str(ROOT / "requirements.lock")]
    done = subprocess.run(
        [*argv, *deps["dependencies"]], capture_output=True, text=True, timeout=900, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"installing the base dependencies failed:\n{done.stdout}\n{done.stderr}")


def _prune_stale() -> None:
    for old in CACHE.glob("base-*"):
        if old.is_dir() and time.time() - old.stat().st_mtime > STALE_SECONDS:
            shutil.rmtree(old, ignore_errors=True)


@pytest.fixture(scope="session")
def probe(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What the package does in the base-only environment (one interpreter, run once)."""
    python = base_venv() / "bin" / "python"
    done = subprocess.run(
        [str(python), "-I", "-c", PROBE, str(ROOT), ",".join(NOT_IN_BASE)],
        cwd=tmp_path_factory.mktemp("base-install"),
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_the_environment_is_a_base_install_of_this_tree(probe: dict[str, Any]) -> None:
    assert probe["present"] == [], "the base-only environment has extras' modules"
    assert Path(probe["package_file"]).resolve() == ROOT / "agentic_action" / "__init__.py"


def test_every_module_imports_with_the_base_dependencies_only(probe: dict[str, Any]) -> None:
    on_disk = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in (ROOT / "agentic_action").rglob("*.py")
        if path.name != "__main__.py"
    }
    assert probe["failed"] == {}
    assert set(probe["walked"]) == on_disk  # the walk reached every module there is
    assert probe["loaded"] == []  # and nothing imported an extra's module along the way


def test_a_feature_without_its_extra_names_the_extra_when_used(probe: dict[str, Any]) -> None:
    used = probe["used"]
    assert used["ipfs"] == (
        "MissingExtraError: IPFS sharing needs the ipfs extra: "
        "pip install 'agentic-optimizer[ipfs]'"
    )
    llm = "MissingExtraError: LLM support needs the llm extra: pip install 'agentic-optimizer[llm]'"
    assert used["litellm"] == llm
    assert used["prompts"] == llm
    assert probe["semgrep"].endswith(
        "it comes with the checks extra: pip install 'agentic-optimizer[checks]'"
    )


def test_require_returns_the_module() -> None:
    assert require("json.decoder", "none", "decoding") is sys.modules["json.decoder"]


def test_require_names_the_extra_of_a_missing_module() -> None:
    with pytest.raises(MissingExtraError) as caught:
        require("agentic_no_such_module.sub", "ipfs", "IPFS sharing")
    assert str(caught.value) == f"IPFS sharing needs the ipfs extra: {install_hint('ipfs')}"
    assert (caught.value.extra, caught.value.name) == ("ipfs", "agentic_no_such_module.sub")
    assert isinstance(caught.value, ImportError)


def test_require_lets_a_broken_installed_module_fail_as_itself(tmp_path: Path) -> None:
    (tmp_path / "agentic_half_installed.py").write_text("import agentic_its_missing_dependency\n")
    sys.path.insert(0, str(tmp_path))
    try:
        with pytest.raises(ModuleNotFoundError) as caught:
            require("agentic_half_installed", "llm", "LLM support")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("agentic_half_installed", None)
    assert not isinstance(caught.value, MissingExtraError)
    assert caught.value.name == "agentic_its_missing_dependency"
