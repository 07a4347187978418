# agentic-optimizer as a Docker container action (container/action.yml builds this file): the
# same install as the composite action (scripts/install-action.sh: requirements.lock, then the
# package with --no-deps) and git for the worktrees. It runs as the image's default user, root,
# as GitHub asks of Docker actions (a USER would lose write access to /github/workspace and the
# file-command files). The entrypoint reads the runner's INPUT_* variables.
#
# BASE: the published image uses python:3.11-slim-bookworm. Tests build with a Debian bookworm
# root file system bootstrapped by mmdebstrap (.ci/setup-podman.sh), because no image registry
# is reachable there; PIP_* build arguments point pip at a local wheel folder for the same reason.
ARG BASE=python:3.11-slim-bookworm
FROM ${BASE}

# git: worktrees, diffs and commits (the bootstrapped base already has it). No bubblewrap: a
# Docker action's container may not create namespaces, so candidates could not be isolated in it
# anyway (the LLM methods refuse there; see docs/action.md).
# hadolint ignore=DL3008
RUN command -v git >/dev/null \
    || { apt-get update \
         && apt-get install -y --no-install-recommends git \
         && rm -rf /var/lib/apt/lists/*; }

# Sections of requirements.lock to install: the static checks, not the LLM libraries.
ARG SECTIONS=checks
ARG PIP_NO_INDEX
ARG PIP_FIND_LINKS
WORKDIR /opt/agentic-optimizer/src
# Two layers, one script: first the pinned dependencies, with an empty package standing in for
# ours (a layer rebuilt only when the lock or the script changes); then the real package, where
# the script finds the venv holding exactly the wanted pins and reinstalls only the package.
COPY requirements.lock ./
COPY scripts/install-action.sh scripts/
RUN mkdir agentic_action \
    && echo '__version__ = "0"' >agentic_action/__init__.py \
    && printf '%s\n' '[project]' 'name = "agentic-optimizer"' 'version = "0"' \
        '[tool.setuptools]' 'packages = ["agentic_action"]' >pyproject.toml \
    && touch entrypoint.py \
    && sh scripts/install-action.sh python3 /opt/agentic-optimizer/venv "$SECTIONS" \
    && rm -r agentic_action pyproject.toml entrypoint.py
COPY pyproject.toml README.md entrypoint.py ./
COPY agentic_action/ agentic_action/
RUN sh scripts/install-action.sh python3 /opt/agentic-optimizer/venv "$SECTIONS"

# The runner mounts the workspace owned by another uid: let git work in it.
ENV GIT_CONFIG_COUNT=1 \
    GIT_CONFIG_KEY_0=safe.directory \
    GIT_CONFIG_VALUE_0=* \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

ENTRYPOINT ["/opt/agentic-optimizer/venv/bin/python", "/opt/agentic-optimizer/src/entrypoint.py"]
