# agentic-optimizer as a container: the same install as the composite action
# (scripts/install-action.sh: requirements.lock, then the package with --no-deps), git for the
# worktrees, and a non-root user. The entrypoint reads the runner's INPUT_* variables.
FROM python:3.11-slim-bookworm

# git: worktrees, diffs and commits; bubblewrap: the sandbox that runs the repository's tests.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git bubblewrap \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/agentic-optimizer/src
COPY requirements.lock pyproject.toml README.md entrypoint.py ./
COPY scripts/install-action.sh scripts/
COPY agentic_action/ agentic_action/
RUN sh scripts/install-action.sh python3 /opt/agentic-optimizer/venv

# The runner mounts the workspace owned by another uid: let git work in it.
ENV GIT_CONFIG_COUNT=1 \
    GIT_CONFIG_KEY_0=safe.directory \
    GIT_CONFIG_VALUE_0=* \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

RUN useradd --create-home --uid 1001 --shell /usr/sbin/nologin optimizer
USER 1001

ENTRYPOINT ["/opt/agentic-optimizer/venv/bin/python", "/opt/agentic-optimizer/src/entrypoint.py"]
