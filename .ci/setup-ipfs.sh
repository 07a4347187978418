#!/usr/bin/env bash
# Install the js-ipfs node the tests use into .ci/node/ipfs/ (gitignored), idempotently.
#
# js-ipfs 0.66.1 crashes on Node 20 unless two transitive versions are pinned; the overrides
# live in .ci/ipfs/package.json (see ../shared/DEPENDENCIES.md). A plain `npm install` of that
# file takes ~3.5 minutes and ~200 MB, so this script does nothing when the installed tree was
# built from the same package.json as the one committed.
#
# Usage: .ci/setup-ipfs.sh            install if needed, print the jsipfs path
#        .ci/setup-ipfs.sh --force    reinstall
# Env:   OPTIMIZER_IPFS_NODE_DIR      install somewhere else (default: .ci/node/ipfs)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_dir="$here/ipfs"
target_dir="${OPTIMIZER_IPFS_NODE_DIR:-$here/node/ipfs}"
jsipfs="$target_dir/node_modules/.bin/jsipfs"
stamp="$target_dir/.installed-from"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "setup-ipfs: node and npm are required (Node 20 was tested); install them first" >&2
    exit 2
fi

fingerprint() {
    # The inputs that decide the installed tree: the manifest and node's major version.
    { cat "$source_dir/package.json"; node --version | cut -d. -f1; } | sha256sum | cut -d' ' -f1
}

wanted="$(fingerprint)"
if [[ "${1:-}" != "--force" && -x "$jsipfs" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    echo "setup-ipfs: already installed ($jsipfs)" >&2
    echo "$jsipfs"
    exit 0
fi

mkdir -p "$target_dir"
rm -f "$stamp"
cp "$source_dir/package.json" "$target_dir/package.json"
# No committed lock file: the one npm writes for this tree fails `npm ci`'s own sync check
# ("Missing: headless@ from lock file"), so the two overrides are what pins the tree.
echo "setup-ipfs: npm install in $target_dir (takes a few minutes the first time)" >&2
(cd "$target_dir" && npm install --no-audit --no-fund --loglevel=error >&2)

if [[ ! -x "$jsipfs" ]]; then
    echo "setup-ipfs: install finished but $jsipfs is missing" >&2
    exit 1
fi
# Prove it runs: initialise a throwaway repository (loads the module graph and the crypto).
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
IPFS_PATH="$scratch/repo" node "$jsipfs" init --algorithm=ed25519 >/dev/null
echo "$wanted" >"$stamp"
echo "setup-ipfs: installed ($jsipfs)" >&2
echo "$jsipfs"
