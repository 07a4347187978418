"""A small shop back-office: the bundled example that agentic-optimizer improves."""
