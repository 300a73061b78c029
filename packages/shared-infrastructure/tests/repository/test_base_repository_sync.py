"""The generic repository's calls through the sync repository (scripts,
workers), plus the sync template's ``BaseRepository`` spelling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from shared_infrastructure.database.errors import IntegrityConflict, NotFoundError
from shared_infrastructure.database.repository import SyncBaseRepository, UnknownField
from shared_infrastructure.database.repository.mapping import model_info
from shared_infrastructure.database.repository.sync import BaseRepository as TemplateRepository

from .repo_models import Book, Counter, Item, Membership, Shelf, User

UQ_EMAIL = "uq_repo_users_email"


class UserRepository(SyncBaseRepository[User]):
    def __init__(self, session: Session) -> None:
        super().__init__(User, session)

    def get_by_email(self, email: str) -> User | None:
        return self.get_by(email=email)

    def get_active_users(self, limit: int = 10) -> list[User]:
        return self.filter(is_active=True, limit=limit)

    def deactivate_old_users(self, days: int = 90) -> int:
        cutoff = datetime.now(UTC) - timedelta(days=days)
        return self.update_many(filters={"last_login__lt": cutoff}, is_active=False)


class ItemRepository(TemplateRepository[Item]):
    """The sync template's ``ProductRepository`` shape."""

    def __init__(self, db: Session) -> None:
        super().__init__(Item, db)


def test_seed_004_spelling_is_the_sync_repository() -> None:
    assert TemplateRepository is SyncBaseRepository


def test_crud_round_trip(session: Session) -> None:
    user_repo = SyncBaseRepository(User, session)
    user = user_repo.create(name="John Doe", email="john@example.com")
    assert user.id is not None
    assert user_repo.get(user.id) is user
    assert [u.name for u in user_repo.get_all(limit=10)] == ["John Doe"]
    updated = user_repo.update(user.id, name="Jane Doe")
    assert updated is not None
    assert updated.name == "Jane Doe"
    assert user_repo.delete(user.id) is True
    assert user_repo.get(user.id) is None
    assert user_repo.get(user.id, include_deleted=True) is user


def test_seed_calls(session: Session) -> None:
    repo = SyncBaseRepository(User, session)
    user = repo.create(name="John Doe", email="john@example.com", is_active=True)
    users = repo.create_many(
        [
            {"name": "John", "email": "john2@example.com"},
            {"name": "Jane", "email": "jane@example.com", "is_active": False},
        ]
    )
    assert [u.name for u in users] == ["John", "Jane"]
    assert all(u.id for u in users)
    assert repo.get(user.id) is user
    assert repo.get_by(email="john@example.com") is user
    assert repo.get_by(name="John", is_active=True) is users[0]
    assert [u.name for u in repo.get_all(skip=0, limit=10)] == ["John Doe", "John", "Jane"]
    assert [u.name for u in repo.filter(is_active=True, skip=0, limit=20)] == ["John Doe", "John"]
    assert (repo.count(), repo.count(is_active=True)) == (3, 2)
    assert repo.exists(email="john@example.com") is True

    changed = repo.update(user.id, name="Jane Doe", is_active=False)
    assert changed is not None
    assert changed.name == "Jane Doe"
    assert repo.update_many(filters={"is_active": False}, name="Inactive User") == 2
    assert repo.delete(users[0].id) is True
    assert repo.delete_many(is_active=False) == 2
    assert repo.count() == 0

    with pytest.raises(NotFoundError):
        repo.get_or_raise(999)
    with pytest.raises(NotFoundError):
        repo.get_by_or_raise(email="nonexistent@example.com")


def test_custom_queries(session: Session) -> None:
    repo = SyncBaseRepository(User, session)
    repo.create(name="Recent", email="recent@example.com")
    repo.create(
        name="Sleeper",
        email="sleeper@example.com",
        last_login=datetime.now(UTC) - timedelta(days=60),
    )
    stmt = (
        select(User)
        .where(
            and_(
                User.is_active == True,  # noqa: E712
                User.created_at > datetime.now(UTC) - timedelta(days=7),
            )
        )
        .order_by(User.created_at.desc())
    )
    assert len(repo.execute(stmt).scalars().all()) == 2
    repo.execute(
        update(User)
        .where(User.last_login < datetime.now(UTC) - timedelta(days=30))
        .values(is_active=False)
    )
    assert [u.name for u in repo.filter(is_active=False)] == ["Sleeper"]


def test_subclass(session: Session) -> None:
    repo = UserRepository(session)
    repo.create_many(
        [
            {"name": "John", "email": "john@example.com"},
            {
                "name": "Gone",
                "email": "gone@example.com",
                "last_login": datetime.now(UTC) - timedelta(days=120),
            },
        ]
    )
    found = repo.get_by_email("john@example.com")
    assert found is not None
    assert found.name == "John"
    assert len(repo.get_active_users(limit=5)) == 2
    assert repo.deactivate_old_users(days=90) == 1
    assert [u.name for u in repo.get_active_users()] == ["John"]


def test_seed_004_style_subclass(session: Session) -> None:
    repo = ItemRepository(session)
    item = repo.create(sku="PROD001", name="Sample Product")
    assert repo.get_or_raise(item.id).sku == "PROD001"
    assert repo.delete(item.id) is True  # no soft delete: the row is gone
    assert repo.count() == 0
    assert repo.delete(item.id) is False


def test_duplicate_names_the_constraint(session: Session) -> None:
    repo = SyncBaseRepository(User, session)
    repo.create(name="John", email="john@example.com")
    with pytest.raises(IntegrityConflict) as caught:
        repo.create(name="Other", email="john@example.com")
    assert caught.value.constraint == UQ_EMAIL


def test_update_many_by_filter_list_and_version(session: Session) -> None:
    repo = SyncBaseRepository(Counter, session)
    repo.create_many([{"code": f"c{i}", "value": i} for i in range(5)])
    assert repo.update_many(filters={"value__gte": 3}, value=0) == 2
    assert repo.count(value=0) == 3
    assert {c.version for c in repo.filter(value=0, code__in=["c3", "c4"])} == {2}
    assert {c.version for c in repo.filter(code__in=["c1", "c2"])} == {1}


def test_composite_primary_key(session: Session) -> None:
    repo = SyncBaseRepository(Membership, session)
    created = repo.create_many(
        [{"user_id": 2, "group_id": 1}, {"user_id": 1, "group_id": 2, "role": "owner"}]
    )
    assert [(m.user_id, m.group_id) for m in created] == [(2, 1), (1, 2)]
    found = repo.get((1, 2))
    assert found is not None
    assert found.role == "owner"
    assert repo.get({"user_id": 2, "group_id": 1}) is created[0]
    assert repo.delete((1, 2)) is True
    assert repo.get((1, 2)) is None


def test_unknown_field_in_sync_paths(session: Session) -> None:
    repo = SyncBaseRepository(User, session)
    with pytest.raises(UnknownField, match="allowed fields: created_at, deleted_at, email"):
        repo.filter(nickname="JJ")
    with pytest.raises(UnknownField):
        repo.insert_many([{"nickname": "JJ"}])


def test_soft_delete_reach_is_known_per_model() -> None:
    assert model_info(User).soft_delete_reachable
    assert model_info(Shelf).soft_delete_reachable  # through its books
    assert not model_info(Item).soft_delete_reachable


def test_eager_loaded_soft_deleted_children_stay_hidden(session: Session) -> None:
    shelves = SyncBaseRepository(Shelf, session)
    shelf = shelves.create(label="s")
    books = SyncBaseRepository(Book, session)
    kept = books.create(shelf_id=shelf.id, title="kept")
    gone = books.create(shelf_id=shelf.id, title="gone")
    books.delete(gone.id)
    session.expunge_all()
    loaded = shelves.get(shelf.id)
    assert loaded is not None
    assert [b.title for b in loaded.books] == [kept.title]
    assert [s.label for s in shelves.filter(label="s")] == ["s"]
