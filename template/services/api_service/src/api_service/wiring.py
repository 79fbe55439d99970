"""Modules plugged into the app, one per line; each has install(app, settings) and lifespan."""

from api_service.infrastructure import data_client

MODULES = [
    data_client,
]
