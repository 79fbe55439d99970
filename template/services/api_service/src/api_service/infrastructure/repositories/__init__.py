"""Repositories over HTTP: implement the application ports by calling the data service."""
