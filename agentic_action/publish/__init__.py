"""Publish: conflicts and three-way merges, then GitHub mode or patch mode, and IPFS."""
