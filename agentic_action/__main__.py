"""``python -m agentic_action`` is the same program as ``agentic-optimizer``."""

import sys

from agentic_action.cli import main

sys.exit(main())
