"""The async repository guide's examples, as written (import paths adapted), async.

Adaptations, all forced by the shared model layer rather than the
repository: ``String`` lengths (MariaDB), a ``last_login`` column (the seed's
``UserRepository`` filters on it) and timezone-aware ``datetime.now(UTC)``
where the seed compares ``created_at``/``last_login`` with a naive
``datetime.now()`` (``UtcDateTime`` refuses naive values).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Optional

import pytest
from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared_infrastructure.database.errors import DatabaseError, IntegrityConflict, NotFoundError
from shared_infrastructure.database.repository import (
    AsyncBaseRepository,
    BaseRepository,
    InvalidFilter,
    UnknownField,
)
from shared_infrastructure.domain.errors import NotFound

from .repo_models import Counter, Item, User

UQ_EMAIL = "uq_repo_users_email"


class UserRepository(BaseRepository[User]):
    """User-specific repository (the guide's, verbatim but for ``UTC``)."""

    def __init__(self, session: AsyncSession):
        super().__init__(User, session)

    async def get_by_email(self, email: str) -> Optional[User]:  # noqa: UP045
        """Get user by email."""
        return await self.get_by(email=email)

    async def get_active_users(self, limit: int = 10) -> list[User]:
        """Get active users."""
        return await self.filter(is_active=True, limit=limit)

    async def deactivate_old_users(self, days: int = 90) -> int:
        """Deactivate users inactive for N days."""
        cutoff = datetime.now(UTC) - timedelta(days=days)
        return await self.update_many(filters={"last_login__lt": cutoff}, is_active=False)


def test_seed_names() -> None:
    from shared_infrastructure.database import BaseRepository as SeedSpelling

    assert BaseRepository is AsyncBaseRepository
    assert SeedSpelling is BaseRepository  # ``from app.shared.database import BaseRepository``


async def test_quick_start(async_session: AsyncSession) -> None:
    session = async_session
    user_repo = BaseRepository(User, session)

    # Create
    user = await user_repo.create(name="John Doe", email="john@example.com")
    assert user.id is not None

    # Read
    user = await user_repo.get(user.id)
    assert user is not None
    users = await user_repo.get_all(limit=10)
    assert [u.email for u in users] == ["john@example.com"]

    # Update
    user = await user_repo.update(user.id, name="Jane Doe")
    assert user is not None
    assert user.name == "Jane Doe"

    # Delete
    assert await user_repo.delete(user.id) is True
    assert await user_repo.get(user.id) is None


async def test_create_operations(async_session: AsyncSession) -> None:
    repo = BaseRepository(User, async_session)
    user = await repo.create(name="John Doe", email="john@example.com", is_active=True)
    users = await repo.create_many(
        [
            {"name": "John", "email": "john2@example.com"},
            {"name": "Jane", "email": "jane@example.com"},
        ]
    )
    # All instances are flushed and refreshed
    assert user.id is not None
    assert [u.name for u in users] == ["John", "Jane"]
    assert all(u.id is not None for u in users)
    assert all(u.created_at is not None and u.is_active for u in users)
    assert user.created_at.tzinfo is not None


async def test_read_operations(async_session: AsyncSession) -> None:
    repo = BaseRepository(User, async_session)
    await repo.create_many(
        [
            {"name": "John", "email": "john@example.com"},
            {"name": "Ann", "email": "ann@example.com", "is_active": False},
            {"name": "Bob", "email": "bob@example.com"},
        ]
    )
    john = await repo.get_by(email="john@example.com")
    assert john is not None
    user = await repo.get(john.id)
    assert user is john
    if user:
        assert user.name == "John"

    user = await repo.get_by(email="john@example.com")
    assert user is john
    user = await repo.get_by(name="John", is_active=True)
    assert user is john
    assert await repo.get_by(name="John", is_active=False) is None

    users = await repo.get_all(skip=0, limit=10)
    assert [u.name for u in users] == ["John", "Ann", "Bob"]
    assert [u.name for u in await repo.get_all(skip=1, limit=1)] == ["Ann"]

    active_users = await repo.filter(is_active=True, skip=0, limit=20)
    assert [u.name for u in active_users] == ["John", "Bob"]

    total = await repo.count()
    active_count = await repo.count(is_active=True)
    assert (total, active_count) == (3, 2)

    exists = await repo.exists(email="john@example.com")
    assert exists is True
    assert await repo.exists(email="nobody@example.com") is False


async def test_update_operations(async_session: AsyncSession) -> None:
    repo = BaseRepository(User, async_session)
    first = await repo.create(name="John", email="john@example.com")
    await repo.create(name="Old", email="old@example.com", is_active=False)
    await repo.create(name="Older", email="older@example.com", is_active=False)

    user = await repo.update(first.id, name="Jane Doe", is_active=False)
    if user:
        assert user.name == "Jane Doe"
    assert user is not None
    assert user.is_active is False
    assert await repo.update(999_999, name="nobody") is None

    updated_count = await repo.update_many(filters={"is_active": False}, name="Inactive User")
    assert updated_count == 3
    assert {u.name for u in await repo.filter(is_active=False)} == {"Inactive User"}


async def test_delete_operations(async_session: AsyncSession) -> None:
    repo = BaseRepository(User, async_session)
    user = await repo.create(name="John", email="john@example.com")
    await repo.create(name="Ann", email="ann@example.com", is_active=False)
    await repo.create(name="Bob", email="bob@example.com", is_active=False)

    deleted = await repo.delete(user.id)
    assert deleted is True
    assert await repo.delete(user.id) is False  # already gone (soft-deleted)
    assert await repo.delete(999_999) is False

    deleted_count = await repo.delete_many(is_active=False)
    assert deleted_count == 2
    assert await repo.count() == 0


async def test_exception_raising_variants(async_session: AsyncSession) -> None:
    repo = BaseRepository(User, async_session)
    with pytest.raises(NotFoundError) as caught:
        await repo.get_or_raise(999)
    assert caught.value.entity == "User"
    assert caught.value.identifier == 999
    assert isinstance(caught.value, NotFound)  # the web layer's 404

    with pytest.raises(NotFoundError):
        await repo.get_by_or_raise(email="nonexistent@example.com")

    user = await repo.create(name="John", email="john@example.com")
    assert await repo.get_or_raise(user.id) is user
    assert await repo.get_by_or_raise(email="john@example.com") is user


async def test_fastapi_style_get_user(async_session: AsyncSession) -> None:
    created = await BaseRepository(User, async_session).create(name="John", email="j@example.com")
    repo = BaseRepository(User, async_session)
    user = await repo.get_or_raise(created.id)
    data = user.to_dict()
    assert data["email"] == "j@example.com"
    assert data["id"] == created.id


async def test_custom_queries(async_session: AsyncSession) -> None:
    repo = BaseRepository(User, async_session)
    await repo.create(name="Recent", email="recent@example.com")
    await repo.create(
        name="Sleeper",
        email="sleeper@example.com",
        last_login=datetime.now(UTC) - timedelta(days=60),
    )

    stmt = (
        select(User)
        .where(
            and_(
                User.is_active == True,  # noqa: E712 - the seed's spelling
                User.created_at > datetime.now(UTC) - timedelta(days=7),
            )
        )
        .order_by(User.created_at.desc())
    )
    result = await repo.execute(stmt)
    recent_users = result.scalars().all()
    assert {u.name for u in recent_users} == {"Recent", "Sleeper"}

    stmt2 = (
        update(User)
        .where(User.last_login < datetime.now(UTC) - timedelta(days=30))
        .values(is_active=False)
    )
    await repo.execute(stmt2)
    assert [u.name for u in await repo.filter(is_active=False)] == ["Sleeper"]


async def test_subclassing_repository(async_session: AsyncSession) -> None:
    repo = UserRepository(async_session)
    await repo.create_many(
        [
            {"name": "John", "email": "john@example.com"},
            {"name": "Ann", "email": "ann@example.com"},
            {
                "name": "Gone",
                "email": "gone@example.com",
                "last_login": datetime.now(UTC) - timedelta(days=120),
            },
        ]
    )
    user = await repo.get_by_email("john@example.com")
    assert user is not None
    assert user.name == "John"
    active = await repo.get_active_users(limit=5)
    assert [u.name for u in active] == ["John", "Ann", "Gone"]
    assert await repo.deactivate_old_users(days=90) == 1
    assert [u.name for u in await repo.get_active_users()] == ["John", "Ann"]


async def test_soft_delete_usage(async_session: AsyncSession) -> None:
    session = async_session
    repo = BaseRepository(User, session)
    created = await repo.create(name="John", email="john@example.com")

    product = await repo.get(created.id)
    assert product is not None
    product.soft_delete()
    await session.commit()
    assert product.is_deleted is True
    assert product.deleted_at is not None

    # hidden from every read unless asked for
    assert await repo.get(created.id) is None
    assert await repo.get_by(email="john@example.com") is None
    assert await repo.count() == 0
    assert await repo.exists(email="john@example.com") is False
    assert await repo.filter(name="John") == []
    assert await repo.get(created.id, include_deleted=True) is product
    assert await repo.count(include_deleted=True) == 1
    assert [u.id for u in await repo.get_all(include_deleted=True)] == [created.id]

    product.restore()
    await session.commit()
    assert product.is_deleted is False
    assert await repo.get(created.id) is product


async def test_delete_soft_deletes_and_hard_removes(async_session: AsyncSession) -> None:
    repo = BaseRepository(User, async_session)
    user = await repo.create(name="John", email="john@example.com")
    assert await repo.delete(user.id) is True
    assert user.deleted_at is not None
    assert await repo.count(include_deleted=True) == 1  # the row is kept

    restored = await repo.restore(user.id)
    assert restored is user
    assert user.deleted_at is None
    assert await repo.delete(user.id, hard=True) is True
    assert await repo.count(include_deleted=True) == 0
    assert await repo.restore(user.id) is None


async def test_soft_deleted_rows_are_not_updated_by_update_many(
    async_session: AsyncSession,
) -> None:
    repo = BaseRepository(User, async_session)
    kept = await repo.create(name="Kept", email="kept@example.com", is_active=False)
    gone = await repo.create(name="Gone", email="gone@example.com", is_active=False)
    await repo.delete(gone.id)
    assert await repo.update_many(filters={"is_active": False}, name="Renamed") == 1
    await async_session.refresh(gone)
    await async_session.refresh(kept)
    assert (kept.name, gone.name) == ("Renamed", "Gone")
    assert await repo.delete_many(is_active=False, hard=True) == 2


async def test_duplicate_create_translated_and_logged_with_context(
    async_session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    repo = BaseRepository(User, async_session)
    await repo.create(name="John", email="john@example.com")
    with (
        caplog.at_level(logging.INFO, logger="shared_infrastructure.database"),
        pytest.raises(IntegrityConflict) as caught,
    ):
        await repo.create(name="John", email="john@example.com")
    conflict = caught.value
    assert isinstance(conflict, DatabaseError)
    assert conflict.constraint == UQ_EMAIL
    assert conflict.kind == "unique"
    assert UQ_EMAIL in str(conflict)
    record = next(r for r in caplog.records if r.getMessage() == "Failed to create User")
    assert record.levelno == logging.ERROR
    assert record.entity_type == "User"
    assert record.error.startswith("IntegrityError(")
    context = record.db_context
    assert context["entity"] == "User"
    assert context["operation"] == "create"
    assert context["attributes"]["email"] == "'john@example.com'"


async def test_create_many_duplicate_names_the_constraint(async_session: AsyncSession) -> None:
    repo = BaseRepository(User, async_session)
    with pytest.raises(IntegrityConflict) as caught:
        await repo.create_many(
            [{"name": "A", "email": "same@example.com"}, {"name": "B", "email": "same@example.com"}]
        )
    assert caught.value.constraint == UQ_EMAIL


async def test_unknown_fields_are_refused_before_sql(async_session: AsyncSession) -> None:
    repo = BaseRepository(User, async_session)
    with pytest.raises(UnknownField, match="'nickname'") as caught:
        await repo.create(name="John", email="j@example.com", nickname="JJ")
    assert "allowed fields" in str(caught.value)
    with pytest.raises(UnknownField):
        await repo.create_many([{"name": "A", "email": "a@example.com", "oops": 1}])
    with pytest.raises(UnknownField):
        await repo.update(1, nickname="JJ")
    with pytest.raises(UnknownField):
        await repo.update_many(filters={"name": "x"}, nickname="JJ")
    with pytest.raises(UnknownField):
        await repo.filter(order_by="-nickname")
    assert isinstance(caught.value, ValueError)  # InvalidQuery: HTTP 422


async def test_bulk_writes_need_a_filter(async_session: AsyncSession) -> None:
    repo = BaseRepository(Item, async_session)
    with pytest.raises(InvalidFilter, match="at least one filter"):
        await repo.delete_many()
    with pytest.raises(InvalidFilter, match="at least one filter"):
        await repo.update_many(name="x")
    with pytest.raises(InvalidFilter, match="at least one value"):
        await repo.update_many(filters={"id": 1})


async def test_update_bumps_version_and_timestamp(async_session: AsyncSession) -> None:
    repo = BaseRepository(Counter, async_session)
    counter = await repo.create(code="c1")
    assert counter.version == 1
    before = counter.updated_at
    updated = await repo.update(counter.id, value=5)
    assert updated is not None
    assert updated.version == 2
    assert await repo.update_many(filters={"code": "c1"}, value=6) == 1
    await async_session.refresh(counter)
    assert (counter.value, counter.version) == (6, 3)
    assert counter.updated_at >= before


async def test_testing_repository_examples(async_session: AsyncSession) -> None:
    """The seed's own ``test_create_user`` / ``test_user_not_found``."""
    repo = BaseRepository(User, async_session)
    user = await repo.create(name="John Doe", email="john@example.com")
    assert user.id is not None
    assert user.name == "John Doe"
    assert user.email == "john@example.com"
    with pytest.raises(NotFoundError):
        await repo.get_or_raise(999)
