"""Transactions begun with write intent: on SQLite they hold the write lock
from the start, so two read-then-write transactions queue instead of one
failing on a stale snapshot. On the servers the intent changes nothing."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import URL, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.write_intent import async_begin_writing, begin_writing

# Long enough for the second writer to read when nothing holds it back; the
# test passes either way on the servers, and on SQLite only if it is held.
READ_WINDOW_SECONDS = 0.5


class CoreIntentRow(Base):
    __tablename__ = "core_intent_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    writer: Mapped[str] = mapped_column(String(20))


@pytest.fixture
def sqlite_file(db_kind: str, db_url: URL) -> str:
    if db_kind != "sqlite" or not db_url.database:
        pytest.skip("the write lock is SQLite's")
    return db_url.database


@pytest.fixture
def outsider(sqlite_file: str) -> Iterator[sqlite3.Connection]:
    """A plain connection that gives up at once when the database is locked."""
    connection = sqlite3.connect(sqlite_file, timeout=0, isolation_level=None)
    yield connection
    connection.close()


def take_write_lock(connection: sqlite3.Connection) -> None:
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("ROLLBACK")


def test_a_declared_writer_holds_the_lock_from_its_first_statement(
    committing_sync_database: Database, outsider: sqlite3.Connection
) -> None:
    with committing_sync_database.scope() as session:
        begin_writing(session)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            take_write_lock(outsider)
        session.rollback()
    take_write_lock(outsider)


def test_an_undeclared_reader_does_not_hold_the_lock(
    committing_sync_database: Database, outsider: sqlite3.Connection
) -> None:
    with committing_sync_database.scope() as session:
        session.scalar(select(func.count()).select_from(CoreIntentRow))
        take_write_lock(outsider)


async def test_the_async_session_declares_the_same_way(
    committing_database: AsyncDatabase, outsider: sqlite3.Connection
) -> None:
    async with committing_database.scope() as session:
        await async_begin_writing(session)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            take_write_lock(outsider)
        await session.rollback()


def test_intent_declared_inside_a_running_transaction_changes_nothing(
    committing_sync_database: Database, outsider: sqlite3.Connection
) -> None:
    with committing_sync_database.scope() as session:
        session.scalar(select(func.count()).select_from(CoreIntentRow))
        begin_writing(session)
        take_write_lock(outsider)


def test_two_read_then_write_transactions_both_commit(
    committing_sync_database: Database,
) -> None:
    """The second writer reads while the first has read but not written
    yet; undeclared, one of them would fail with SQLITE_BUSY_SNAPSHOT."""
    database = committing_sync_database
    second_has_read = threading.Event()
    failures: list[BaseException] = []

    def read_then_write(session: Session, writer: str) -> None:
        begin_writing(session)
        session.scalar(select(func.count()).select_from(CoreIntentRow))
        if writer == "second":
            second_has_read.set()
        session.add(CoreIntentRow(writer=writer))
        session.commit()

    def second() -> None:
        try:
            with database.scope() as session:
                read_then_write(session, "second")
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    with database.scope() as session:
        begin_writing(session)
        session.scalar(select(func.count()).select_from(CoreIntentRow))
        thread = threading.Thread(target=second)
        thread.start()
        second_has_read.wait(READ_WINDOW_SECONDS)
        session.add(CoreIntentRow(writer="first"))
        session.commit()
    thread.join()

    assert failures == []
    with database.scope() as session:
        writers = sorted(session.scalars(select(CoreIntentRow.writer)))
    assert writers == ["first", "second"]
