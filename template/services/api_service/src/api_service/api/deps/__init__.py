"""Dependencies: the only place in the API layer that picks concrete adapters."""
