#!/usr/bin/env bash
# Give the sandbox real isolation on this machine (the Action's isolation step runs it), then say
# which level a run will get.
#
#   scripts/setup-sandbox.sh [PYTHON]
#
# The sandbox needs bubblewrap able to create its namespaces. GitHub-hosted Ubuntu runners do not
# install bubblewrap, and on ubuntu-24.04 and later AppArmor blocks unprivileged user namespaces
# (kernel.apparmor_restrict_unprivileged_userns=1: bwrap fails with "setting up uid map:
# Permission denied"). With root or the runner's password-less sudo this script:
#   1. installs bubblewrap with apt-get when it is missing;
#   2. when bwrap still cannot create namespaces and AppArmor is there, loads a profile for
#      /usr/bin/bwrap alone that allows it user namespaces (the one Ubuntu 25.04 ships; the
#      restriction stays on for every other program).
# Without root or sudo it changes nothing. Then, with PYTHON (a Python that has this package),
# it runs the run's own probe (python -m agentic_action.sandbox.probe), which prints the level as
# JSON and, on GitHub, as an annotation. Exit 0 whatever the level: a run's LLM methods refuse
# when candidates cannot be isolated (agentic_action/sandbox/policy.py).
set -euo pipefail

python=${1:-}
profile=/etc/apparmor.d/agentic-optimizer-bwrap

bwrap_works() {
    command -v bwrap >/dev/null 2>&1 &&
        bwrap --ro-bind / / --dev /dev --proc /proc --unshare-net --unshare-ipc --unshare-pid \
            --die-with-parent -- true >/dev/null 2>&1
}

as_root=()
if [ "$(id -u)" != 0 ]; then
    as_root=(sudo -n)
fi
may_root() { "${as_root[@]}" true >/dev/null 2>&1; }

set_up() {
    if [ "$(uname -s)" != Linux ]; then
        echo "setup-sandbox: $(uname -s) has no bubblewrap; candidates run without isolation" >&2
        return 0
    fi
    if bwrap_works; then
        echo "setup-sandbox: bubblewrap works" >&2
        return 0
    fi
    if ! may_root; then
        echo "setup-sandbox: bubblewrap does not work here and there is no root or" \
            "password-less sudo to set it up" >&2
        return 0
    fi
    if ! command -v bwrap >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
        echo "setup-sandbox: apt-get install bubblewrap" >&2
        "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive sh -c \
            'apt-get install -y -qq bubblewrap >/dev/null 2>&1 ||
             { apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; }' ||
            echo "setup-sandbox: could not install bubblewrap" >&2
    fi
    if ! bwrap_works && [ -d /etc/apparmor.d ] && command -v apparmor_parser >/dev/null 2>&1; then
        echo "setup-sandbox: AppArmor profile $profile lets /usr/bin/bwrap create user namespaces" >&2
        printf '%s\n' \
            'abi <abi/4.0>,' \
            'include <tunables/global>' \
            'profile agentic-optimizer-bwrap /usr/bin/bwrap flags=(unconfined) {' \
            '  userns,' \
            '  include if exists <local/agentic-optimizer-bwrap>' \
            '}' | "${as_root[@]}" tee "$profile" >/dev/null
        "${as_root[@]}" apparmor_parser --replace --write-cache "$profile" ||
            echo "setup-sandbox: apparmor_parser refused $profile" >&2
    fi
    if bwrap_works; then
        echo "setup-sandbox: bubblewrap works" >&2
    else
        echo "setup-sandbox: bubblewrap still cannot create its namespaces" >&2
    fi
}

set_up
if [ -n "$python" ]; then
    "$python" -m agentic_action.sandbox.probe
fi
