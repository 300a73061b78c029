"""Alembic ``env.py`` of the service: every context's records on the shared
metadata; connection, SQLite batch mode, transactional upgrade, type
comparison and table filters come from the shared environment."""

from api.migrations import service_tables, target_metadata
from shared_infrastructure.database.alembic_env import run_alembic_env

run_alembic_env(target_metadata(), include_tables=service_tables())
