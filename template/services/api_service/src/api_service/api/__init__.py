"""API: HTTP in and out only; parsing, calling a use case, shaping the answer."""
