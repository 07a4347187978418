#!/usr/bin/env python3
"""The GitHub Action's door into the same run() as the CLI (see agentic_action/action/).

The runner passes inputs as ``INPUT_*`` environment variables and the event in
``GITHUB_EVENT_NAME``/``GITHUB_EVENT_PATH``; results go to ``$GITHUB_OUTPUT`` and the summary
to ``$GITHUB_STEP_SUMMARY``. Exit 0 when the request was handled (improving nothing is a
success), 1 when the run failed, 2 on bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agentic_action.action import main

if __name__ == "__main__":
    sys.exit(main())
