"""Ports: the interfaces use cases need, implemented by the infrastructure layer."""
