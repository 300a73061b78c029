"""The active-record module path: the default sync ``Database`` as ``db``
and the module-level transaction helpers.

``db`` stands for the current default database (resolved on every use):
importing it builds no engine.
"""

from __future__ import annotations

from shared_infrastructure.database.database import Database
from shared_infrastructure.database.defaults_proxies import db
from shared_infrastructure.database.helpers import is_in_transaction, savepoint, transaction

__all__ = ["Database", "db", "is_in_transaction", "savepoint", "transaction"]
