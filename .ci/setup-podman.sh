#!/usr/bin/env bash
# Make podman able to build and run the Action's container here, idempotently (see
# ../shared/DEPENDENCIES.md; tests/container/ uses it):
#  1. apt-get install podman, runc and mmdebstrap (as root; otherwise say how and exit 0, and
#     the container test skips locally and fails when CI=true);
#  2. /etc/containers/containers.conf with `default_ulimits = []` (podman's default raises the
#     open-files limit, which these machines forbid);
#  3. the base image: no image registry is reachable, so Debian bookworm with Python 3.11, git and
#     venv support is bootstrapped with mmdebstrap from the apt mirror and imported as
#     localhost/agentic-optimizer-base:bookworm (~5 min the first time). The rootfs tarball is
#     kept in $AO_PODMAN_CACHE (default /var/cache/agentic-optimizer), so a new clone only
#     re-imports it;
#  4. a wheel folder for the image's pinned dependencies (pip wheel from the registry, once per
#     requirements.lock; tests/_support/container_build.py), since builds run with --network none.
# The image itself is built by the test (podman's layer cache keeps the dependency layer between
# runs, so a warm build only reinstalls the package): building it here would hold every test
# back, since scripts/test.sh waits for the set-up scripts.
# Prints the base image's name on stdout. Use podman with `--runtime runc` (crun refuses the
# hybrid cgroups here).
set -euo pipefail

base_image=localhost/agentic-optimizer-base:bookworm
cache=${AO_PODMAN_CACHE:-/var/cache/agentic-optimizer}
# What the base holds; the tarball's name changes with the list, so a change rebuilds it.
packages=python3,python3-venv,git,ca-certificates
tarball="$cache/debian-bookworm-$(echo "$packages" | sha256sum | cut -c1-12).tar"

have_tools() { command -v podman >/dev/null && command -v runc >/dev/null && command -v mmdebstrap >/dev/null; }

if ! have_tools; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "setup-podman: podman, runc or mmdebstrap is missing; install them with:" \
            "sudo apt-get install -y podman runc mmdebstrap" >&2
        exit 0
    fi
    echo "setup-podman: apt-get install podman runc mmdebstrap" >&2
    export DEBIAN_FRONTEND=noninteractive
    # Other set-up scripts run apt-get at the same time (scripts/test.sh starts them together):
    # every apt-get waits for the dpkg lock instead of failing at once.
    conf=/etc/apt/apt.conf.d/90-wait-for-lock
    [ -e "$conf" ] || echo 'DPkg::Lock::Timeout "600";' >"$conf"
    apt_get=(apt-get -o DPkg::Lock::Timeout=600 -y -qq)
    if ! "${apt_get[@]}" install podman runc mmdebstrap >/dev/null; then
        "${apt_get[@]}" update >/dev/null
        "${apt_get[@]}" install podman runc mmdebstrap >/dev/null
    fi
    have_tools || { echo "setup-podman: install failed" >&2; exit 1; }
fi

conf=/etc/containers/containers.conf
if [ "$(id -u)" = 0 ] && ! grep -q '^default_ulimits *= *\[\]' "$conf" 2>/dev/null; then
    mkdir -p "$(dirname "$conf")"
    if grep -q '^\[containers\]' "$conf" 2>/dev/null; then
        sed -i 's/^\[containers\]$/[containers]\ndefault_ulimits = []/' "$conf"
    else
        printf '[containers]\ndefault_ulimits = []\n' >>"$conf"
    fi
    echo "setup-podman: wrote default_ulimits = [] to $conf" >&2
fi

if podman image exists "$base_image"; then
    echo "setup-podman: $base_image already there" >&2
elif [ ! -s "$tarball" ]; then
    mkdir -p "$cache"
    echo "setup-podman: mmdebstrap bookworm ($packages) into $tarball" >&2
    part="${tarball%.tar}.part.tar"  # mmdebstrap picks the output format from the extension
    rm -rf "$part"
    mmdebstrap --quiet --variant=minbase --include="$packages" bookworm "$part"
    mv "$part" "$tarball"
fi
if ! podman image exists "$base_image"; then
    podman import --quiet "$tarball" "$base_image" >/dev/null
    echo "setup-podman: imported $base_image from $tarball" >&2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${AO_PYTHON:-$here/.venv/bin/python}
[ -x "$python" ] || python=python3
"$python" "$here/tests/_support/container_build.py" wheels >&2
echo "$base_image"
