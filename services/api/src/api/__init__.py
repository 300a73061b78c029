"""The FastAPI service composing every bounded context.

``create_app(settings)`` builds the application (see :mod:`api.app`);
``api`` (:mod:`api.cli`) serves it and migrates its database.
"""
