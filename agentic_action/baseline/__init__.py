"""Baseline: the repository's own test suite on HEAD, the per-test coverage map, the profile."""
