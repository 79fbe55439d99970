"""Observability: logs, error tracking."""
