"""agentic-optimizer: find, prove and propose performance improvements for Python repositories."""

__version__ = "0.1.0"
