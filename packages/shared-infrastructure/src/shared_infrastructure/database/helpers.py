"""Session helpers over the default databases.

======================  =====================================================
helper                  behaviour
======================  =====================================================
get_session()           ``async with``: commit on success, rollback on error,
                        close; ``async for`` and ``Depends(get_session)`` too
get_async_session()     same as ``get_session()``
get_sync_session()      ``with``: commit on success, rollback on error, close
get_session_dependency  FastAPI dependency: commit (before the response) /
                        rollback / close
get_db()                FastAPI dependency (sync): yield, then close
get_async_db()          FastAPI dependency (async): yield, then close
get_db_context()        ``with``: rollback on error, close; caller commits
create_session_factory  the async session factory of the default database
transaction()           default scope's transaction block; with a session
                        argument, a block on that session (nested: SAVEPOINT)
savepoint()             a SAVEPOINT block (outside any block: commits)
is_in_transaction()     inside a ``transaction()``/``savepoint()`` block?
======================  =====================================================
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    AsyncExitStack,
    contextmanager,
)
from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from shared_infrastructure.database.defaults import (
    get_async_database,
    get_database,
)
from shared_infrastructure.database.defaults import (
    is_in_transaction as is_in_transaction,  # re-exported: one of the helpers above
)
from shared_infrastructure.database.sessions import (
    async_savepoint_block,
    async_transaction_block,
    create_async_session_factory,
    savepoint_block,
    transaction_block,
)

#: FastAPI's exit stack of the endpoint call, closed before the response is sent.
_FUNCTION_STACK = "fastapi_function_astack"


class AsyncSessionContext:
    """A new session inside a transaction block.

    ``async with get_session() as s`` and ``async for s in get_session()``
    both commit when the block ends normally and roll back when it raises.
    It also speaks the async-generator protocol (``__anext__``, ``athrow``,
    ``aclose``) so FastAPI can drive ``Depends(get_session)`` (as a generator dependency).
    """

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession] | None = None,
        connection: HTTPConnection | None = None,
    ) -> None:
        self._factory = factory or get_async_database().session_factory
        self._connection = connection
        self._session: AsyncSession | None = None
        self._block: AbstractAsyncContextManager[AsyncSession] | None = None
        self._dependency: AsyncGenerator[AsyncSession, None] | None = None

    async def __aenter__(self) -> AsyncSession:
        self._session = self._factory()
        self._block = async_transaction_block(self._session, helper=True)
        return await self._block.__aenter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        assert self._block is not None
        try:
            await self._block.__aexit__(exc_type, exc, tb)
        finally:
            await self._session.close()

    async def __aiter__(self) -> AsyncIterator[AsyncSession]:
        async with self as session:
            yield session

    # -- async-generator protocol, as used by contextlib / FastAPI -------------
    # ``Depends(get_session)`` drives the object as a generator: it delegates
    # to ``get_session_dependency``.
    async def __anext__(self) -> AsyncSession:
        if self._dependency is None:
            self._dependency = get_session_dependency(self._connection)  # type: ignore[arg-type]
        return await anext(self._dependency)

    async def athrow(
        self,
        typ: type[BaseException] | BaseException,
        value: BaseException | None = None,
        tb: TracebackType | None = None,
    ) -> AsyncSession:
        error = value if value is not None else typ if isinstance(typ, BaseException) else typ()
        if self._dependency is None:
            raise error
        return await self._dependency.athrow(error)

    async def aclose(self) -> None:
        if self._dependency is not None:
            await self._dependency.aclose()


class CommitAfterResponse(RuntimeError):
    """``get_session`` was used as a FastAPI dependency where its commit
    could only run after the response was sent."""


async def get_session_dependency(
    connection: HTTPConnection = None,  # type: ignore[assignment]  # injected by FastAPI
) -> AsyncGenerator[AsyncSession, None]:
    """FastAPI dependency (also behind ``Depends(get_session)``): commit
    before the response is sent, roll back if the endpoint raised, close.

    Under ``DatabaseSessionMiddleware`` it is the request's session, which
    the middleware commits before the response starts. Without it, the
    session's transaction is tied to the endpoint call (FastAPI's
    per-function exit stack), whatever scope the dependency was declared
    with: a failed commit reaches the exception handlers (409, 503...),
    never a 2xx. Where no such stack exists the dependency refuses to run
    rather than commit after the response.
    """
    database = get_async_database()
    if database.has_scope():
        yield database.session
        return
    if connection is None:  # driven by hand (``async for s in get_session()``)
        async with AsyncSessionContext() as session:
            yield session
        return
    stack = connection.scope.get(_FUNCTION_STACK)
    if not isinstance(stack, AsyncExitStack):
        raise CommitAfterResponse(
            "get_session: this FastAPI version gives a dependency no way to commit "
            "before the response; add DatabaseSessionMiddleware to the app"
        )
    yield await stack.enter_async_context(AsyncSessionContext())


def get_session(connection: HTTPConnection | None = None) -> AsyncSessionContext:
    """``async with`` / ``async for`` / ``Depends(get_session)`` (FastAPI
    passes the request as ``connection``)."""
    return AsyncSessionContext(connection=connection)


def get_async_session(connection: HTTPConnection | None = None) -> AsyncSessionContext:
    return AsyncSessionContext(connection=connection)


# FastAPI classifies dependencies through ``inspect.unwrap``: marked this way,
# ``Depends(get_session)`` is driven as a dependency with yield (commit or
# rollback, then close) instead of injecting the context object itself.
get_session.__wrapped__ = get_session_dependency  # type: ignore[attr-defined]
get_async_session.__wrapped__ = get_session_dependency  # type: ignore[attr-defined]


@contextmanager
def get_sync_session() -> Iterator[Session]:
    session = get_database().session_factory()
    try:
        with transaction_block(session, helper=True):
            yield session
    finally:
        session.close()


def get_db() -> Generator[Session, None, None]:
    """FastAPI dependency : a session closed after the request."""
    session = get_database().session_factory()
    try:
        yield session
    finally:
        session.close()


async def get_async_db() -> AsyncGenerator[AsyncSession, None]:
    session = get_async_database().session_factory()
    try:
        yield session
    finally:
        await session.close()


@contextmanager
def get_db_context() -> Iterator[Session]:
    """For scripts: the caller commits; errors roll back."""
    session = get_database().session_factory()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def create_session_factory(engine: AsyncEngine | None = None) -> async_sessionmaker[AsyncSession]:
    if engine is not None:
        return create_async_session_factory(engine)
    return get_async_database().session_factory


class _Block:
    """``with`` for sync sessions, ``async with`` for async ones."""

    def __init__(self, session: Session | AsyncSession | None, savepoint: bool) -> None:
        self._session = session
        self._savepoint = savepoint
        self._sync: AbstractContextManager[Session] | None = None
        self._async: AbstractAsyncContextManager[AsyncSession] | None = None

    def __enter__(self) -> Session:
        session = self._session if self._session is not None else get_database().session
        if not isinstance(session, Session):
            raise TypeError("an AsyncSession needs `async with transaction(session)`")
        self._sync = savepoint_block(session) if self._savepoint else transaction_block(session)
        return self._sync.__enter__()

    def __exit__(self, *exc_info: Any) -> bool | None:
        assert self._sync is not None
        return self._sync.__exit__(*exc_info)

    async def __aenter__(self) -> AsyncSession:
        session = self._session if self._session is not None else get_async_database().session
        if not isinstance(session, AsyncSession):
            raise TypeError("a sync Session needs `with transaction(session)`")
        block = async_savepoint_block if self._savepoint else async_transaction_block
        self._async = block(session)
        return await self._async.__aenter__()

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        assert self._async is not None
        return await self._async.__aexit__(*exc_info)


def transaction(session: Session | AsyncSession | None = None) -> _Block:
    """Transaction block: outermost commits/rolls back, nested is a SAVEPOINT."""
    return _Block(session, savepoint=False)


def savepoint(session: Session | AsyncSession | None = None) -> _Block:
    return _Block(session, savepoint=True)
