"""The active-record module path: the default sync ``Database`` as ``db``
and the module-level transaction helpers.

``db`` is resolved on access: importing this module builds no engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared_infrastructure.database.database import Database
from shared_infrastructure.database.defaults import get_database
from shared_infrastructure.database.helpers import is_in_transaction, savepoint, transaction

if TYPE_CHECKING:
    db: Database

__all__ = ["Database", "db", "is_in_transaction", "savepoint", "transaction"]


def __getattr__(name: str) -> Any:
    if name == "db":
        return get_database()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
