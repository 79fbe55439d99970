"""Domain: business rules in plain Python; no framework, no I/O."""
