# ruff: noqa
# Cases for agentic_action/prove/semgrep_rules/filesystem_network.yaml.
import ssl
import tempfile

import requests


def scratch():
    # ruleid: tempfile-mktemp
    name = tempfile.mktemp()
    # ok: tempfile-mktemp
    handle, other = tempfile.mkstemp()
    return name, handle, other


def fetch(url, session):
    # ruleid: tls-verification-disabled
    requests.get(url, verify=False)
    # ruleid: tls-verification-disabled
    session.post(url, data=b"x", verify=False)
    # ruleid: tls-verification-disabled
    context = ssl._create_unverified_context()
    # ok: tls-verification-disabled
    requests.get(url, timeout=5)
    # ok: tls-verification-disabled
    safe = ssl.create_default_context()
    # ruleid: tls-verification-disabled
    safe.check_hostname = False
    return context
