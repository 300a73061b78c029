"""Stand-ins for the default databases' objects under their module-level
names (``engine``, ``SessionLocal``, ``db``...).

``from shared_infrastructure.database import engine`` at the top of a
module must neither build an engine at import time nor keep pointing at a
database that ``init_database()`` or ``use_default_databases()`` replaced
later. Each stand-in resolves the current default on every use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, sessionmaker

from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.defaults import get_async_database, get_database

T = TypeVar("T")

_OWN = frozenset({"_resolve", "__class__", "__dict__"})


class _Forwarding:
    """Every attribute comes from the object ``_resolve()`` returns now."""

    def __init__(self, resolve: Callable[[], Any]) -> None:
        object.__setattr__(self, "_resolve", resolve)

    def __getattribute__(self, name: str) -> Any:
        if name in _OWN:
            return object.__getattribute__(self, name)
        return getattr(object.__getattribute__(self, "_resolve")(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(object.__getattribute__(self, "_resolve")(), name, value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return object.__getattribute__(self, "_resolve")()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<default: {object.__getattribute__(self, '_resolve')()!r}>"


# Subclasses of the real types, so ``isinstance`` and ``sqlalchemy.inspect``
# recognise them; ``__init__`` of the real type is never run.
class _DefaultEngine(_Forwarding, Engine):
    pass


class _DefaultAsyncEngine(_Forwarding, AsyncEngine):
    pass


class _DefaultDatabase(_Forwarding, Database):
    pass


def _proxy(kind: type[_Forwarding], resolve: Callable[[], Any], typ: type[T]) -> T:
    return cast(T, kind(resolve))


engine: Engine = _proxy(_DefaultEngine, lambda: get_database().engine, Engine)
async_engine: AsyncEngine = _proxy(
    _DefaultAsyncEngine, lambda: get_async_database().engine, AsyncEngine
)
db: Database = _proxy(_DefaultDatabase, get_database, Database)
SessionLocal: sessionmaker[Session] = cast(
    "sessionmaker[Session]", _Forwarding(lambda: get_database().session_factory)
)
AsyncSessionLocal: async_sessionmaker[AsyncSession] = cast(
    "async_sessionmaker[AsyncSession]", _Forwarding(lambda: get_async_database().session_factory)
)

__all__ = ["AsyncDatabase", "AsyncSessionLocal", "SessionLocal", "async_engine", "db", "engine"]
