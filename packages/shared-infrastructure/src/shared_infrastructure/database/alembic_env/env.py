"""Generic Alembic ``env.py``: everything comes from the config
(see :mod:`shared_infrastructure.database.alembic_env`)."""

from shared_infrastructure.database.alembic_env import run_alembic_env

run_alembic_env()
