#!/usr/bin/env python3
"""The GitHub Action's door into the same run() as the CLI (see agentic_action/action/).

The runner passes inputs as ``INPUT_*`` environment variables and the event in
``GITHUB_EVENT_NAME``/``GITHUB_EVENT_PATH``; results go to ``$GITHUB_OUTPUT`` and the summary
to ``$GITHUB_STEP_SUMMARY``. Exit 0 when the request was handled (improving nothing is a
success), 1 when the run failed, 2 on bad input (an LLM method where candidates cannot be
isolated included).

First of all it takes the secrets out of its own environment (agentic_action/sandbox/vault.py:
it runs itself again without them, same pid, and gets them through a pipe): GitHub credentials
then exist only in the mapping handed to main(); other secrets (LLM provider keys, which litellm
reads from os.environ) go back into os.environ, which changes this process's memory but not
the /proc/<pid>/environ a candidate could read.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agentic_action.action import main
from agentic_action.sandbox.vault import protect

# Kept out of os.environ (so out of every process we start): read only from main()'s mapping.
GITHUB_CREDENTIALS = ("GITHUB_", "GH_", "INPUT_", "ACTIONS_", "OPTIMIZER_GITHUB_")

if __name__ == "__main__":
    secrets = protect()
    os.environ.update({k: v for k, v in secrets.items() if not k.startswith(GITHUB_CREDENTIALS)})
    sys.exit(main({**os.environ, **secrets}))
