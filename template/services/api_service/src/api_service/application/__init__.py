"""Application: use cases that orchestrate the domain through ports."""
