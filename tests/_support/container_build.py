"""Build and run the Action's Docker image with podman, as tests and .ci/setup-podman.sh need it.

Standard library only: .ci/setup-podman.sh runs it (``python container_build.py wheels|build``)
in the background before the test venv exists. No image registry is reachable here, so the base
is the Debian root file system .ci/setup-podman.sh bootstrapped (``BASE_IMAGE``), and pip in the
build reads a local wheel folder made from requirements.lock (builds run with ``--network
none``). Everything cached lives outside the repository, in ``$AO_PODMAN_CACHE`` (default
/var/cache/agentic-optimizer); podman keeps its layer cache in its own storage.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASE_IMAGE = "localhost/agentic-optimizer-base:bookworm"
IMAGE = "localhost/agentic-optimizer:test"
SECTIONS = ("checks",)  # the Dockerfile's default SECTIONS
PODMAN = ("podman", "--runtime", "runc")  # crun refuses this machine's hybrid cgroups


def cache_dir() -> Path:
    return Path(os.environ.get("AO_PODMAN_CACHE", "/var/cache/agentic-optimizer"))


def podman_ready() -> str:
    """ "" when podman, runc and the base image are there, else what is missing."""
    for tool in ("podman", "runc"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (bash .ci/setup-podman.sh installs it as root)"
    done = subprocess.run([*PODMAN, "image", "exists", BASE_IMAGE], check=False)
    if done.returncode != 0:
        return f"the base image {BASE_IMAGE} is missing (bash .ci/setup-podman.sh makes it)"
    return ""


def image_requirements() -> list[str]:
    """The pins the image installs: requirements.lock before its first section, then the
    sections in SECTIONS, never the dev section (what scripts/install-action.sh selects)."""
    keep, started, lines = True, False, []
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.startswith("# --- dev only"):
            break
        if line.startswith("# --- section "):
            started, keep = True, line.split()[3] in SECTIONS
            continue
        if line.strip() and not line.startswith("#") and (keep or not started):
            lines.append(line)
    return lines


def wheels() -> Path:
    """A folder with a wheel for every pin the image installs and for the build backend, made
    once per requirements.lock."""
    pins = image_requirements()
    backend = ["setuptools>=68", "wheel"]  # pyproject's build-system (built in isolation)
    key = hashlib.sha256("\n".join([*pins, *backend]).encode()).hexdigest()[:16]
    folder = cache_dir() / f"wheels-{key}"
    if (folder / ".complete").is_file():
        return folder
    part = folder.with_name(folder.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    part.mkdir(parents=True)
    requirements = part / "requirements.txt"
    requirements.write_text("\n".join(pins) + "\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--no-deps", "-r", str(requirements), "-w", str(part)], check=True)
    subprocess.run([*pip, "-w", str(part), *backend], check=True)
    (part / ".complete").touch()
    shutil.rmtree(folder, ignore_errors=True)
    part.rename(folder)
    return folder


def build(tag: str = IMAGE) -> subprocess.CompletedProcess[str]:
    """``podman build`` of the real Dockerfile with the bootstrapped base and the wheels."""
    return subprocess.run(
        [*PODMAN, "build", "--quiet", "--network", "none", "--tag", tag,
         "--volume", f"{wheels()}:/wheels:ro",
         "--build-arg", f"BASE={BASE_IMAGE}",
         "--build-arg", "PIP_NO_INDEX=1", "--build-arg", "PIP_FIND_LINKS=/wheels",
         "--file", str(ROOT / "Dockerfile"), str(ROOT)],
        capture_output=True, text=True, check=False, timeout=1800,
    )  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:] == ["wheels"]:
        print(f"container_build: wheels in {wheels()}")
    elif sys.argv[1:] == ["build"]:
        done = build()
        print(done.stdout + done.stderr, end="")
        sys.exit(done.returncode)
    else:
        sys.exit("usage: container_build.py wheels|build")
