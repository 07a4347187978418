#!/usr/bin/env bash
# Set up everything the tests need (from this repository's own files) and run them:
# lint (ruff), types (mypy --strict), then the test suite (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."

export LITELLM_LOCAL_MODEL_COST_MAP=True SEMGREP_ENABLE_VERSION_CHECK=0

# The sandbox uses bubblewrap when it can; install it where we may (CI runs as root).
if ! command -v bwrap >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null) \
    || echo "warning: could not install bubblewrap; sandbox falls back to weaker isolation" >&2
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# The pinned versions the Action installs (requirements.lock) first, so the tests exercise
# exactly what users run; then the package and its test-only tools.
log=$(mktemp)
if ! { .venv/bin/python -m pip install --quiet --upgrade pip \
       && .venv/bin/python -m pip install --quiet -r requirements.lock \
       && .venv/bin/python -m pip install --quiet -e '.[dev]' ; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "test.sh: installing the package and its test dependencies failed (output above)" >&2
  exit 1
fi
rm -f "$log"

# Extra tools some tests need (npm packages, an IPFS node): each script is idempotent.
for setup in .ci/setup-*.sh; do
  [ -e "$setup" ] && bash "$setup"
done

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache   # dependencies point down the flow (pyproject [tool.importlinter])
.venv/bin/python -m pytest -q "$@"
