"""Sandbox: the only place that runs untrusted code (the repository's tests, candidate code)."""
