"""Alembic history of the events context (branch label ``events``).

``versions/`` is a version location, not an environment: run it with the
shared environment, e.g. ``Migrations.from_dir(MIGRATIONS_DIR)`` or the
api service's ``migrate`` command.
"""
