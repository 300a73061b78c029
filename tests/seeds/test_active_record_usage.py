"""The active-record usage guide, run as written.

Its examples with only the import paths changed: ``app.models`` and
``app.database.connection`` become ``shared_infrastructure.database`` and
``shared_infrastructure.database.connection``, ``app.config`` becomes
``shared_infrastructure.config``. The guide leaves ``Event`` to the reader;
it is defined here.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, String, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared_infrastructure.config import app_config, load_settings
from shared_infrastructure.database import Base, BaseModel, IntegrityConflict
from shared_infrastructure.database.connection import db, is_in_transaction, savepoint, transaction
from shared_infrastructure.database.database import Database
from shared_infrastructure.web.middleware import DatabaseSessionMiddleware


class Event(BaseModel):
    __tablename__ = "guide_ar_events"

    id: Mapped[str] = mapped_column(String(50), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(500), default=None)


def stored_ids(session: Session) -> list[str]:
    return sorted(session.scalars(text("SELECT id FROM guide_ar_events")))


# -- Basic Model Operations ------------------------------------------------------


def test_basic_model_operations(session: Session) -> None:
    # Create and save
    event = Event(id="ev_001", title="Jazz Festival 2025", description="Annual jazz festival")
    event.save()  # Automatically commits if not in transaction

    # Query
    events = Event.session.query(Event).all()
    assert [e.title for e in events] == ["Jazz Festival 2025"]

    # Update
    event.title = "Updated Title"
    event.save()
    assert session.scalar(text("SELECT title FROM guide_ar_events")) == "Updated Title"
    assert event.created is not None and event.updated >= event.created

    # Delete
    event.delete()
    assert stored_ids(session) == []


def test_a_duplicate_save_is_a_conflict_and_the_session_goes_on(session: Session) -> None:
    Event(id="ev_001", title="Event 1").save()
    with pytest.raises(IntegrityConflict):
        Event(id="ev_001", title="again").save()
    Event(id="ev_002", title="Event 2").save()
    assert stored_ids(session) == ["ev_001", "ev_002"]


# -- Transaction Management ------------------------------------------------------


def test_transaction_commits_both_together(session: Session) -> None:
    # Simple transaction
    with transaction():
        event1 = Event(id="ev_001", title="Event 1").save()
        event2 = Event(id="ev_002", title="Event 2").save()
        # Both are committed together, or rolled back if any fails
        assert is_in_transaction() and event1.is_in_transaction
    assert not is_in_transaction()
    assert event2.id == "ev_002"
    assert stored_ids(session) == ["ev_001", "ev_002"]


def test_transaction_rolls_both_back_if_one_fails(session: Session) -> None:
    with pytest.raises(IntegrityConflict), transaction():
        Event(id="ev_001", title="Event 1").save()
        Event(id="ev_001", title="duplicate").save()
    assert stored_ids(session) == []


def test_savepoint_rolls_back_on_its_own(session: Session) -> None:
    # Nested transactions with savepoints
    with transaction():
        Event(id="ev_001", title="Event 1").save()

        with pytest.raises(RuntimeError), savepoint():
            Event(id="ev_002", title="Event 2").save()
            # This can be rolled back independently
            raise RuntimeError("undo event 2 only")
    assert stored_ids(session) == ["ev_001"]


def test_savepoint_without_a_transaction_commits(
    committing_sync_database: Database, sync_engine: Engine
) -> None:
    with savepoint():
        Event(id="ev_001", title="Event 1").save()
    committing_sync_database.remove()
    with Session(sync_engine) as other:
        assert stored_ids(other) == ["ev_001"]


# -- Request-Scoped Operations ---------------------------------------------------


async def test_request_scoped_sessions(session: Session, asgi_client, database) -> None:  # type: ignore[no-untyped-def]
    Event(id="ev_001", title="Jazz").save()
    app = FastAPI()
    app.add_middleware(DatabaseSessionMiddleware, database=database)

    # In FastAPI route handlers, sessions are automatically managed
    @app.get("/events")
    async def get_events():  # type: ignore[no-untyped-def]
        # Session is automatically created and cleaned up
        events = Event.session.query(Event).all()
        return [{"id": e.id, "title": e.title} for e in events]

    async with asgi_client(app) as client:
        response = await client.get("/events")
    assert response.status_code == 200
    assert response.json() == [{"id": "ev_001", "title": "Jazz"}]

    # Manual scope management
    with db.scope():
        event = Event.session.query(Event).first()
        # Session is isolated and automatically cleaned up
        assert event is not None and event.title == "Jazz"


# -- Session Lifecycle: one session per thread and per task ------------------------


async def test_threads_get_sessions_of_their_own_and_give_them_back(
    committing_sync_database: Database,
) -> None:
    Event(id="ev_001", title="Jazz").save()
    caller = Event.session

    def read() -> int:
        session = Event.session
        assert session is not caller
        return len(session.query(Event).all())

    counts = await asyncio.gather(*(asyncio.to_thread(read) for _ in range(6)))
    assert counts == [1] * 6

    # What ``to_thread`` does, on a pool this test can wait for: once the
    # threads' work returned, no connection is left checked out.
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(6) as pool:
        runs = [loop.run_in_executor(pool, contextvars.copy_context().run, read) for _ in range(6)]
        assert await asyncio.gather(*runs) == [1] * 6
    committing_sync_database.remove()
    assert committing_sync_database.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_threads_copying_a_context_never_share_its_session(
    committing_sync_database: Database,
) -> None:
    """As Starlette's thread pool does for ``def`` routes."""
    Event(id="ev_001", title="Jazz").save()
    caller = Event.session
    barrier = threading.Barrier(4)

    def read() -> Session:
        session = Event.session
        barrier.wait(timeout=10)
        assert len(session.query(Event).all()) == 1
        return session

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(contextvars.copy_context().run, read) for _ in range(4)]
        sessions = [future.result(timeout=30) for future in futures]
    assert len({id(s) for s in sessions}) == 4
    assert caller not in sessions
    committing_sync_database.remove()
    assert committing_sync_database.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_an_error_outside_a_transaction_rolls_back(committing_sync_database: Database) -> None:
    """Error Handling: SQLAlchemy errors automatically trigger rollback."""
    with pytest.raises(DBAPIError):
        Event.session.execute(text("SELECT no_such_column FROM guide_ar_events"))
    assert Event.session.query(Event).all() == []


# -- Configuration ---------------------------------------------------------------


def test_configuration() -> None:
    assert app_config.environment in ("testing", "local", "dev", "prod")
    assert app_config.database_pool_size >= 1
    testing = load_settings(environment="testing")
    assert testing.url.get_backend_name() == "sqlite"
    assert str(load_settings(timezone="Europe/Paris").timezone) == "Europe/Paris"


def test_models_are_abstract() -> None:
    with pytest.raises(TypeError):
        Base()
    with pytest.raises(TypeError):
        BaseModel()


# -- Testing ---------------------------------------------------------------------


def test_event_creation(session: Session) -> None:
    event = Event(id="test_001", title="Test Event").save()
    assert event.id == "test_001"
    # Session is automatically cleaned up after test
