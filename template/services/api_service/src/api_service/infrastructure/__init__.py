"""Infrastructure: adapters that implement the ports by talking to other services."""
