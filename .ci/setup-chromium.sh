#!/usr/bin/env bash
# Install headless Chromium (Debian's `chromium` package) for the dashboard tests, idempotently.
# Does nothing when chromium is already on PATH. Installs only as root with apt-get (CI); else it
# prints how to install it and exits 0 (the dashboard tests then skip locally, and fail when CI=true).
set -euo pipefail

if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    echo "setup-chromium: already installed ($(command -v chromium || command -v chromium-browser))" >&2
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-chromium: chromium is missing; install it with: sudo apt-get install -y chromium" >&2
    exit 0
fi
echo "setup-chromium: apt-get install -y chromium" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq chromium >/dev/null; then
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
fi
command -v chromium >/dev/null 2>&1 || { echo "setup-chromium: install failed" >&2; exit 1; }
echo "setup-chromium: installed $(chromium --version 2>/dev/null || echo chromium)" >&2
