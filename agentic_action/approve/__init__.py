"""Approval and rollback of published changes, in patch mode and in GitHub mode."""
