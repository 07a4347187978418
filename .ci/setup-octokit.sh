#!/usr/bin/env bash
# Installs GitHub's published REST description (npm @octokit/openapi) into .ci/node/ (gitignored).
# The GitHub tests check the shapes answered by tests/_support/fake_github.py against
# .ci/node/node_modules/@octokit/openapi/generated/api.github.com.json (13 MB, never committed).
# Idempotent: does nothing when the pinned version is already there.
set -euo pipefail

VERSION="23.0.2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="$here/node"
package_json="$prefix/node_modules/@octokit/openapi/package.json"
description="$prefix/node_modules/@octokit/openapi/generated/api.github.com.json"

if [[ -f "$description" && -f "$package_json" ]] \
    && grep -q "\"version\": \"$VERSION\"" "$package_json"; then
    echo "setup-octokit: @octokit/openapi $VERSION already installed"
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "setup-octokit: npm is required to install @octokit/openapi (apt-get install npm)" >&2
    exit 1
fi

mkdir -p "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund --no-save --loglevel=error \
    "@octokit/openapi@$VERSION"
test -f "$description" || { echo "setup-octokit: $description missing after install" >&2; exit 1; }
echo "setup-octokit: installed @octokit/openapi $VERSION"
