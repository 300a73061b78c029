"""HTTP adapter of the events context: ``create_router(service_dependency)``."""

from events.api.router import create_router

__all__ = ["create_router"]
