#!/usr/bin/env sh
# Install agentic-optimizer the way the Action runs it. Used by BOTH action.yml and the
# Dockerfile, and run by tests/action, so the install that was tested is the one that ships.
#
#   scripts/install-action.sh PYTHON VENV [SECTIONS]
#
# Creates the virtual environment VENV with PYTHON (3.11+) and installs the pinned dependencies
# from requirements.lock: the lines before its first section always, then the sections named in
# SECTIONS (space or comma separated: "checks" for the static checks of the standard and
# thorough validation levels, "llm" for the LLM methods; default: both). The dev section (test
# tools) is never installed. Then this package from this directory with --no-deps (nothing is
# resolved at install time: every version is the locked one). pip's own settings apply
# (PIP_INDEX_URL, PIP_NO_INDEX, PIP_FIND_LINKS, ...).
#
# A VENV restored from a cache is reused: when it holds exactly the wanted pins, only the
# package is reinstalled, and only when its source changed.
set -eu

if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
  echo "usage: $0 PYTHON VENV [SECTIONS]" >&2
  exit 2
fi
python=$1
venv=$2
sections=$(printf '%s' "${3-checks llm}" | tr ',' ' ')
here=$(cd "$(dirname "$0")/.." && pwd)

for section in $sections; do
  if ! grep -q "^# --- section $section " "$here/requirements.lock"; then
    echo "install-action.sh: unknown section '$section' (requirements.lock has:" \
      "$(sed -n 's/^# --- section \([a-z]*\) .*/\1/p' "$here/requirements.lock" | tr '\n' ' '))" >&2
    exit 2
  fi
done
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
  echo "install-action.sh: $python is older than Python 3.11" >&2
  exit 2
}

wanted=$(mktemp)
trap 'rm -f "$wanted"' EXIT
# The lines before the first section, then each wanted section's lines; never the dev section.
awk -v want=" $sections " '
  /^# --- dev only/ { exit }
  /^# --- section / { started = 1; keep = index(want, " " $4 " ") > 0; next }
  /^#/ { next }
  !started || keep { print }
' "$here/requirements.lock" >"$wanted"

pip="$venv/bin/python -m pip --disable-pip-version-check --no-input"
if [ -x "$venv/bin/python" ] && cmp -s "$wanted" "$venv/action-requirements.lock"; then
  echo "install-action.sh: $venv already has the $(grep -c . "$wanted") pinned dependencies"
else
  "$python" -m venv "$venv"
  cp "$wanted" "$venv/action-requirements.lock"
  $pip install --no-cache-dir --requirement "$venv/action-requirements.lock"
fi

source_id=$(cd "$here" && find agentic_action entrypoint.py pyproject.toml -type f \
  ! -path '*/__pycache__/*' ! -name '*.pyc' | LC_ALL=C sort | xargs cat | cksum)
if [ "$(cat "$venv/agentic-optimizer.source" 2>/dev/null || true)" != "$source_id" ]; then
  $pip install --no-cache-dir --no-deps --force-reinstall "$here"
  printf '%s\n' "$source_id" >"$venv/agentic-optimizer.source"
fi
"$venv/bin/python" -c 'import agentic_action, sys; print("agentic-optimizer", agentic_action.__version__, "installed in", sys.prefix)'
