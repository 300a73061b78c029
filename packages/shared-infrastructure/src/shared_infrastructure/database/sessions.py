"""Session classes and factories, and the transaction-block bookkeeping
shared by every helper (``transaction()``, ``get_session()``...).

A *transaction block* is an explicit unit: the outermost one commits on
success and rolls back on error; blocks nested inside it become SAVEPOINTs.
The depth lives in ``session.info`` so sync and async code agree on it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import BindParameter, ClauseElement
from sqlalchemy.sql.visitors import cloned_traverse

from shared_infrastructure.database.base import Base
from shared_infrastructure.database.errors import translate_error
from shared_infrastructure.database.mixins import SoftDeleteMixin
from shared_infrastructure.database.types import UtcDateTime, aware, naive_timezone

INCLUDE_DELETED = "include_deleted"
_DEPTH = "shared_infrastructure.transaction_depth"
#: ``session.info`` flag: roll back by itself after a failed statement run
#: outside a transaction block (the implicit sessions of ``Database``).
ROLLBACK_ON_ERROR = "shared_infrastructure.rollback_on_error"
#: ``session.info`` flag: the outermost block belongs to a session helper.
HELPER_OWNED = "shared_infrastructure.helper_owned"


# Built once: the criteria is the same for every statement, and building the
# option (with its lambda) per statement is measurable on hot paths.
_NOT_SOFT_DELETED = with_loader_criteria(
    SoftDeleteMixin, lambda cls: cls.deleted_at.is_(None), include_aliases=True
)


class AppSession(Session):
    """``Session`` that hides soft-deleted rows from ORM statements.

    Opt out per statement with ``.execution_options(include_deleted=True)``.

    A session flagged ``ROLLBACK_ON_ERROR`` rolls back after a database
    error outside a transaction block, so the next statement does not meet
    an aborted transaction (PostgreSQL's ``InFailedSqlTransaction``).
    """

    def _execute_internal(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super()._execute_internal(*args, **kwargs)
        except DBAPIError:
            if self.info.get(ROLLBACK_ON_ERROR) and not transaction_depth(self):
                self.rollback()
            raise


def _aware_bind_values(state: ORMExecuteState) -> None:
    """Naive datetimes compared with ``UtcDateTime`` columns in an UPDATE or
    DELETE, made aware in the engine's zone: the ORM also evaluates the
    criteria in Python against loaded objects, whose values are aware."""
    zone = naive_timezone(state.session.get_bind().dialect)

    def visit(bind: BindParameter[Any]) -> None:
        value = bind.value
        if isinstance(bind.type, UtcDateTime) and isinstance(value, datetime):
            bind.value = aware(value, zone)

    statement = cast(ClauseElement, state.statement)
    state.statement = cast(Executable, cloned_traverse(statement, {}, {"bindparam": visit}))


@event.listens_for(AppSession, "do_orm_execute")
def _hide_soft_deleted(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete:
        _aware_bind_values(state)
    if state.is_column_load or state.execution_options.get(INCLUDE_DELETED, False):
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(_NOT_SOFT_DELETED)


def create_sync_session_factory(bind: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=bind, class_=AppSession, autoflush=False, expire_on_commit=False)


def create_async_session_factory(bind: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        bind=bind, sync_session_class=AppSession, autoflush=False, expire_on_commit=False
    )


def transaction_depth(session: Session | AsyncSession) -> int:
    return int(session.info.get(_DEPTH, 0))


def _raise_translated(error: BaseException) -> None:
    """Re-raise a database error as the package's ``DatabaseError`` family
    (``IntegrityConflict`` naming the constraint...); others unchanged."""
    if isinstance(error, SQLAlchemyError):
        translated = translate_error(error, metadata=Base.metadata, operation="transaction")
        if translated is not error:
            raise translated from error


def _commits_when_nested(session: Session | AsyncSession, depth: int) -> bool:
    """A ``transaction()`` directly inside a helper's own block
    (``get_session()``, ``get_sync_session()``): a SAVEPOINT that commits
    the session when it ends well, as a transaction block promises."""
    return depth == 1 and bool(session.info.get(HELPER_OWNED))


@contextmanager
def transaction_block(session: Session, *, helper: bool = False) -> Iterator[Session]:
    """Outermost: commit or roll back. Nested: a SAVEPOINT. Database errors
    leave it as the package's ``DatabaseError`` family. ``helper``: the block
    of a session helper, inside which a ``transaction()`` also commits."""
    depth = transaction_depth(session)
    session.info[_DEPTH] = depth + 1
    if helper:
        session.info[HELPER_OWNED] = True
    try:
        if depth:
            with session.begin_nested():
                yield session
            if _commits_when_nested(session, depth):
                session.commit()
        else:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()  # also after a failed commit: the session stays usable
                raise
    except SQLAlchemyError as error:
        _raise_translated(error)
        raise
    finally:
        session.info[_DEPTH] = depth
        if helper:
            session.info.pop(HELPER_OWNED, None)


@asynccontextmanager
async def async_transaction_block(
    session: AsyncSession, *, helper: bool = False
) -> AsyncIterator[AsyncSession]:
    """Async twin of :func:`transaction_block` (same depth bookkeeping)."""
    depth = transaction_depth(session)
    session.info[_DEPTH] = depth + 1
    if helper:
        session.info[HELPER_OWNED] = True
    try:
        if depth:
            async with session.begin_nested():
                yield session
            if _commits_when_nested(session, depth):
                await session.commit()
        else:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()  # also after a failed commit
                raise
    except SQLAlchemyError as error:
        _raise_translated(error)
        raise
    finally:
        session.info[_DEPTH] = depth
        if helper:
            session.info.pop(HELPER_OWNED, None)


@contextmanager
def savepoint_block(session: Session) -> Iterator[Session]:
    """A SAVEPOINT inside a transaction block; outside one it *is* the
    outermost block (commit or roll back), or its work would never commit."""
    depth = transaction_depth(session)
    if not depth:
        with transaction_block(session):
            yield session
        return
    session.info[_DEPTH] = depth + 1
    try:
        with session.begin_nested():
            yield session
    finally:
        session.info[_DEPTH] = depth


@asynccontextmanager
async def async_savepoint_block(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    depth = transaction_depth(session)
    if not depth:
        async with async_transaction_block(session):
            yield session
        return
    session.info[_DEPTH] = depth + 1
    try:
        async with session.begin_nested():
            yield session
    finally:
        session.info[_DEPTH] = depth
