#!/usr/bin/env bash
# Set up agentic-optimizer in .venv and run it on the bundled example (no token, no LLM key).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# The base install only (no extra is needed for the rules engine), at the tested versions.
log=$(mktemp)
if ! { .venv/bin/python -m pip install --quiet --upgrade pip \
       && .venv/bin/python -m pip install --quiet -e . -c requirements.lock ; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "quickstart: installing the package failed (output above)" >&2
  exit 1
fi
rm -f "$log"

# The example must be a git repository of its own: copy it and commit it.
work=.quickstart
rm -rf "$work"
mkdir -p "$work"
cp -r examples/shop "$work/shop"
git -C "$work/shop" init --quiet -b main
git -C "$work/shop" add -A
git -C "$work/shop" -c user.name=quickstart -c user.email=quickstart@example.invalid \
  -c commit.gpgsign=false commit --quiet -m "example shop"

.venv/bin/agentic-optimizer optimize \
  --repo "$work/shop" \
  --targets 'shop/**/*.py' \
  --method rules --mode patch \
  --out "$work/out" \
  --description "Quick start: the bundled example"

echo
cat "$work/out/summary.md"
