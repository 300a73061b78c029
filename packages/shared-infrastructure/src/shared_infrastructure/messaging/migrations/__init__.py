"""Alembic migrations of the messaging tables (branch label ``messaging``).

Shared infrastructure owns these tables, so they get their own branch like
any context's; the service adds :data:`VERSION_LOCATION` to Alembic's
``version_locations``. The revision files are loaded by path, never imported.
"""

from __future__ import annotations

from pathlib import Path

BRANCH_LABEL = "messaging"
VERSION_LOCATION: Path = Path(__file__).resolve().parent / "versions"
