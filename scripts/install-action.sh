#!/usr/bin/env sh
# Install agentic-optimizer the way the Action runs it. Used by BOTH action.yml and the
# Dockerfile, and run by tests/action, so the install that was tested is the one that ships.
#
#   scripts/install-action.sh PYTHON VENV
#
# Creates the virtual environment VENV with PYTHON (3.11+), installs the pinned dependencies
# from requirements.lock (down to its dev line: the test tools below it are not the Action's),
# then this package from this directory with --no-deps (nothing is resolved at install time:
# every version is the locked one). pip's own settings apply (PIP_INDEX_URL, PIP_NO_INDEX,
# PIP_FIND_LINKS, ...).
set -eu

if [ "$#" -ne 2 ]; then
  echo "usage: $0 PYTHON VENV" >&2
  exit 2
fi
python=$1
venv=$2
here=$(cd "$(dirname "$0")/.." && pwd)

"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
  echo "install-action.sh: $python is older than Python 3.11" >&2
  exit 2
}
"$python" -m venv "$venv"
pip="$venv/bin/python -m pip --disable-pip-version-check --no-input"
sed '/^# --- dev only/,$d' "$here/requirements.lock" >"$venv/action-requirements.lock"
$pip install --no-cache-dir --requirement "$venv/action-requirements.lock"
$pip install --no-cache-dir --no-deps "$here"
"$venv/bin/python" -c 'import agentic_action, sys; print("agentic-optimizer", agentic_action.__version__, "installed in", sys.prefix)'
