#!/usr/bin/env bash
# Set up everything the tests need (from this repository's own files) and run them:
# lint (ruff), types (mypy --strict), import layers, then the test suite (pytest, in parallel).
# Arguments go to pytest (e.g. `bash scripts/test.sh tests/sandbox -n 0`).
#
# Every set-up step skips what is already there, so a second run starts testing at once: the
# venv is reinstalled only when requirements.lock or pyproject.toml changed, and the
# .ci/setup-*.sh scripts (npm packages, an IPFS node, Chromium) are idempotent. On a fresh clone
# those scripts run in the background while pip installs and the linters run; the IPFS node's
# (minutes of npm) may even still be running when pytest starts: the tests that need it run last
# and wait for it (AO_TEST_IPFS_READY, tests/conftest.py).
#
# With CI=true nothing that tests the sandbox's isolation may be missing: no working bubblewrap
# is an error here, and a skipped isolation test is a failure (tests/conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."

export LITELLM_LOCAL_MODEL_COST_MAP=True SEMGREP_ENABLE_VERSION_CHECK=0
ci=false
case "${CI:-}" in true | TRUE | True | 1) ci=true ;; esac

setup_logs=$(mktemp -d)
trap 'rm -rf "$setup_logs"' EXIT
setup_pids=()
# Starts .ci/setup-NAME.sh in the background; $setup_logs/NAME.done appears when it is over.
start_setup() {
  local setup=$1 name
  name=$(basename "$setup" .sh)
  { local rc=0; bash "$setup" >"$setup_logs/$name.log" 2>&1 || rc=$?; echo "$rc" >"$setup_logs/$name.done"; } &
  setup_pids+=("$!:$setup")
}
# Waits for the background set-ups, prints their output (only a failed one's with --quiet);
# fails if one of them failed.
wait_for_setups() {
  local entry setup name failed=0 quiet=${1:-}
  for entry in "${setup_pids[@]}"; do
    wait "${entry%%:*}" || true
    setup=${entry#*:} name=$(basename "${entry#*:}" .sh)
    if [ "$(cat "$setup_logs/$name.done" 2>/dev/null)" = 0 ]; then
      [ "$quiet" = --quiet ] || sed 's/^/  /' "$setup_logs/$name.log" >&2
    else
      cat "$setup_logs/$name.log" >&2
      echo "test.sh: $setup failed (output above)" >&2
      failed=1
    fi
  done
  setup_pids=()
  return "$failed"
}

# The js-ipfs node takes minutes of npm on a fresh clone and needs no apt: start it first.
ipfs_setup=.ci/setup-ipfs.sh
[ -e "$ipfs_setup" ] && start_setup "$ipfs_setup"

# The sandbox uses bubblewrap when it can; install it where we may (root, or password-less sudo).
as_root=()
[ "$(id -u)" = 0 ] || as_root=(sudo -n)
if ! command -v bwrap >/dev/null 2>&1 && command -v apt-get >/dev/null \
    && "${as_root[@]}" true 2>/dev/null; then
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive sh -c \
    'apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null' \
    || echo "test.sh: could not install bubblewrap" >&2
fi
if ! command -v bwrap >/dev/null 2>&1 || ! bwrap --ro-bind / / true >/dev/null 2>&1; then
  if $ci; then
    echo "test.sh: CI=true but bubblewrap is missing or does not work here" \
      "(\`bwrap --ro-bind / / true\` failed): the sandbox's isolation would go untested." \
      "Install it (apt-get install bubblewrap, as root) on a runner that allows namespaces." >&2
    wait_for_setups >/dev/null 2>&1 || true
    exit 1
  fi
  echo "warning: no working bubblewrap; the sandbox falls back to weaker isolation" \
    "and its isolation tests skip" >&2
fi

# The other tools (npm @octokit/openapi, Chromium from apt: after bubblewrap, one apt at a time).
for setup in .ci/setup-*.sh; do
  [ -e "$setup" ] && [ "$setup" != "$ipfs_setup" ] && start_setup "$setup"
done

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# The pinned versions the Action installs (requirements.lock) first, so the tests exercise
# exactly what users run; then the package and its test-only tools. Skipped when the venv was
# installed from the same files (the package itself is editable: source changes need no pip).
stamp=.venv/.installed-from
wanted=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  rm -f "$stamp"
  log=$(mktemp)
  if ! { .venv/bin/python -m pip install --quiet --upgrade pip \
         && .venv/bin/python -m pip install --quiet -r requirements.lock \
         && .venv/bin/python -m pip install --quiet -e '.[dev]' ; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "test.sh: installing the package and its test dependencies failed (output above)" >&2
    wait_for_setups || true
    exit 1
  fi
  rm -f "$log"
  echo "$wanted" >"$stamp"
else
  echo "test.sh: .venv already installed from this requirements.lock and pyproject.toml" >&2
fi

# (A function in `if !` runs without set -e, hence the &&.)
lint() {
  .venv/bin/ruff check . \
    && .venv/bin/ruff format --check . \
    && .venv/bin/mypy \
    && .venv/bin/lint-imports --no-cache   # dependencies point down the flow ([tool.importlinter])
}
if ! lint; then
  wait_for_setups || true
  exit 1
fi

# Every set-up but the IPFS node's must be over before the tests start.
ipfs_entries=() other_entries=()
for entry in "${setup_pids[@]}"; do
  if [ "${entry#*:}" = "$ipfs_setup" ]; then ipfs_entries+=("$entry"); else other_entries+=("$entry"); fi
done
setup_pids=("${other_entries[@]}")
if ! wait_for_setups; then
  setup_pids=("${ipfs_entries[@]}")
  wait_for_setups || true
  exit 1
fi
setup_pids=("${ipfs_entries[@]}")
if [ "${#setup_pids[@]}" -gt 0 ]; then
  export AO_TEST_IPFS_READY="$setup_logs/$(basename "$ipfs_setup" .sh).done"
fi

# One worker per core; tests sharing an expensive fixture stay on one worker (--dist loadgroup in
# pyproject's addopts, groups from tests/conftest.py). Pass -n 0 to run in one process.
status=0
.venv/bin/python -m pytest -q -n auto "$@" || status=$?
wait_for_setups --quiet || status=1  # the IPFS node's, long over by now
exit "$status"
