"""Alembic migrations owned by the events context (branch label ``events``).

The composition root adds :data:`VERSION_LOCATION` to Alembic's
``version_locations``; the revision files are loaded by path, never imported.
"""

from __future__ import annotations

from pathlib import Path

BRANCH_LABEL = "events"
VERSION_LOCATION: Path = Path(__file__).resolve().parent / "versions"
