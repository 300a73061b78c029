"""Bulk paths run one statement per batch, never a flush per object, and
still hand back instances with their ids, in the caller's order."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from shared_infrastructure.database.errors import IntegrityConflict
from shared_infrastructure.database.repository import (
    BaseRepository,
    InvalidFilter,
    SyncBaseRepository,
    UnknownField,
)
from shared_infrastructure.database.repository import statements as st

from .repo_models import Counter, Item, Measure, Membership, Token, User
from .repo_support import SqlLog

ROWS = 10_000
MAX_INSERTS = 20


def user_rows(count: int, prefix: str = "u") -> list[dict[str, object]]:
    return [
        {"name": f"{prefix}{i}", "email": f"{prefix}{i}@example.com", "is_active": i % 3 != 0}
        for i in range(count)
    ]


def test_create_many_10k_rows_in_at_most_20_inserts(session: Session, sql_log: SqlLog) -> None:
    repo = SyncBaseRepository(User, session)
    rows = user_rows(ROWS)
    sql_log.clear()
    users = repo.create_many(rows)
    assert sql_log.count("INSERT") <= MAX_INSERTS
    assert sql_log.count("SELECT") == 0
    assert len(users) == ROWS
    assert [u.name for u in users] == [r["name"] for r in rows]  # the caller's order
    assert len({u.id for u in users}) == ROWS
    assert all(u.created_at is not None for u in users)
    assert repo.count() == ROWS


async def test_create_many_10k_rows_async(async_session: AsyncSession, sql_log: SqlLog) -> None:
    repo = BaseRepository(User, async_session)
    rows = user_rows(ROWS, "a")
    sql_log.clear()
    users = await repo.create_many(rows)
    assert sql_log.count("INSERT") <= MAX_INSERTS
    assert [u.email for u in users] == [r["email"] for r in rows]
    assert None not in {u.id for u in users}
    assert await repo.count(name__startswith="a") == ROWS


async def test_insert_many_returns_nothing_but_the_count(
    async_session: AsyncSession, sql_log: SqlLog
) -> None:
    repo = BaseRepository(User, async_session)
    sql_log.clear()
    assert await repo.insert_many(user_rows(ROWS, "n")) == ROWS
    assert sql_log.count("INSERT") <= MAX_INSERTS
    assert await repo.count() == ROWS
    assert await repo.insert_many([]) == 0
    assert await repo.create_many([]) == []


def test_postgresql_sends_one_array_per_column(
    session: Session, sql_log: SqlLog, db_kind: str
) -> None:
    """On PostgreSQL 10,000 rows travel as one ``INSERT ... SELECT FROM
    unnest(...)``; rows naming different fields fall back to insertmanyvalues."""
    repo = SyncBaseRepository(User, session)
    sql_log.clear()
    users = repo.create_many(user_rows(ROWS, "pg"))
    assert users[-1].name == f"pg{ROWS - 1}"
    assert all(user.updated_at == user.created_at for user in users)
    if db_kind == "postgresql":
        assert sql_log.count("INSERT") == 1
        assert "unnest" in sql_log.statements[-1]
    sql_log.clear()
    mixed = repo.create_many(
        [
            {"name": "a", "email": "m1@example.com"},
            {"name": "b", "email": "m2@example.com", "is_active": False},
        ]
    )
    assert [u.is_active for u in mixed] == [True, False]
    assert all(user.updated_at == user.created_at for user in mixed)
    assert not any("unnest" in statement for statement in sql_log.statements)


def test_created_instances_are_persistent_in_the_session(session: Session, sql_log: SqlLog) -> None:
    repo = SyncBaseRepository(Counter, session)
    counters = repo.create_many([{"code": f"p{i}", "value": i} for i in range(50)])
    assert all(inspect(c).persistent for c in counters)
    assert [c.version for c in counters] == [1] * 50  # Python-side defaults applied
    assert counters[0].created_at.tzinfo is not None
    sql_log.clear()
    assert repo.get(counters[7].id) is counters[7]  # identity map: no SQL
    assert len(sql_log) == 0
    counters[7].value = 70
    session.flush()
    session.expire_all()
    assert repo.get_or_raise(counters[7].id).value == 70


def test_create_many_with_client_generated_keys(session: Session, sql_log: SqlLog) -> None:
    repo = SyncBaseRepository(Token, session)
    rows = [{"label": f"t{i}"} for i in range(3_000)]
    sql_log.clear()
    tokens = repo.create_many(rows)
    assert sql_log.count("INSERT") <= 5
    assert [t.label for t in tokens] == [r["label"] for r in rows]
    assert all(isinstance(t.id, uuid.UUID) for t in tokens)


def test_create_many_with_explicit_keys_keeps_the_callers_order(session: Session) -> None:
    repo = SyncBaseRepository(Item, session)
    rows = [{"id": 1000 - i, "sku": f"K{i}", "name": f"n{i}"} for i in range(500)]
    items = repo.create_many(rows)
    assert [i.id for i in items] == [r["id"] for r in rows]
    members = SyncBaseRepository(Membership, session).create_many(
        [{"user_id": 9 - i, "group_id": i} for i in range(10)]
    )
    assert [(m.user_id, m.group_id) for m in members] == [(9 - i, i) for i in range(10)]


def test_create_many_accepts_any_iterable(session: Session) -> None:
    repo = SyncBaseRepository(Item, session)
    items = repo.create_many({"sku": f"G{i}", "name": "gen"} for i in range(3))
    assert [i.sku for i in items] == ["G0", "G1", "G2"]


def test_update_many_and_delete_many_are_single_statements(
    session: Session, sql_log: SqlLog
) -> None:
    repo = SyncBaseRepository(Item, session)
    items = repo.create_many([{"sku": f"S{i}", "name": "x", "qty": i % 10} for i in range(ROWS)])
    ids = [i.id for i in items]
    sql_log.clear()
    assert repo.update_many(filters={"id__in": ids[:6_000]}, name="updated") == 6_000
    assert sql_log.count("UPDATE") == 1
    sql_log.clear()
    assert repo.delete_many(id__in=ids[6_000:]) == 4_000
    assert sql_log.count("DELETE") == 1
    sql_log.clear()
    assert repo.delete_many(qty__gte=5) == 3_000
    assert sql_log.count("DELETE") == 1
    assert repo.count() == 3_000
    assert repo.count(name="updated") == 3_000


def test_long_in_lists_are_chunked_where_any_is_not_used(
    session: Session, sql_log: SqlLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(st, "IN_CHUNK", {"sqlite": 100, "mysql": 100, "mariadb": 100})
    repo = SyncBaseRepository(Item, session)
    ids = [i.id for i in repo.create_many([{"sku": f"C{i}", "name": "c"} for i in range(250)])]
    repeated = ids + ids[:50]  # duplicates must not be counted twice
    sql_log.clear()
    assert repo.update_many(filters={"id__in": repeated, "name": "c"}, qty=7) == 250
    dialect = session.get_bind().dialect.name
    expected = 1 if dialect == "postgresql" else 3
    assert sql_log.count("UPDATE") == expected
    sql_log.clear()
    keep = ids[:10]
    assert repo.update_many(filters={"id__not_in": keep * 20}, qty=8) == 240  # never split
    assert sql_log.count("UPDATE") == 1
    sql_log.clear()
    assert repo.delete_many(id__in=repeated) == 250
    assert sql_log.count("DELETE") == expected
    assert repo.count() == 0


async def test_soft_delete_many_is_one_update(async_session: AsyncSession, sql_log: SqlLog) -> None:
    repo = BaseRepository(User, async_session)
    await repo.create_many(user_rows(300, "s"))
    sql_log.clear()
    assert await repo.delete_many(is_active=False) == 100
    assert sql_log.count("UPDATE") == 1
    assert sql_log.count("DELETE") == 0
    assert await repo.count() == 200
    assert await repo.count(include_deleted=True) == 300
    assert await repo.delete_many(is_active=False) == 0  # already soft-deleted
    assert await repo.delete_many(is_active=False, hard=True) == 100
    assert await repo.count(include_deleted=True) == 200


# -- upsert ---------------------------------------------------------------------------


async def test_upsert_inserts_and_updates_in_one_statement(
    async_session: AsyncSession, sql_log: SqlLog
) -> None:
    repo = BaseRepository(Counter, async_session)
    existing = await repo.create(code="b", value=1)
    stamp = existing.updated_at
    sql_log.clear()
    rows = [{"code": "a", "value": 10}, {"code": "b", "value": 20}, {"code": "c", "value": 30}]
    stored = await repo.upsert_many(rows, conflict_on=["code"])
    assert sql_log.count("INSERT") == 1
    assert [(c.code, c.value) for c in stored] == [("a", 10), ("b", 20), ("c", 30)]
    assert stored[1] is existing
    assert existing.id == stored[1].id
    assert existing.version == 2  # bumped on the update path
    assert existing.updated_at >= stamp
    assert [c.version for c in (stored[0], stored[2])] == [1, 1]
    assert await repo.count() == 3


async def test_upsert_one_by_primary_key(async_session: AsyncSession) -> None:
    repo = BaseRepository(Item, async_session)
    item = await repo.upsert({"id": 7, "sku": "U7", "name": "first"})
    assert (item.id, item.name) == (7, "first")
    again = await repo.upsert(id=7, sku="U7", name="second")
    assert again is item
    assert item.name == "second"
    assert await repo.count() == 1


async def test_upsert_with_empty_update_keeps_existing_rows(async_session: AsyncSession) -> None:
    repo = BaseRepository(Item, async_session)
    await repo.create(sku="K", name="kept", qty=1)
    stored = await repo.upsert_many(
        [{"sku": "K", "name": "ignored", "qty": 9}, {"sku": "N", "name": "new", "qty": 2}],
        conflict_on="sku",
        update=[],
    )
    assert [(i.sku, i.name, i.qty) for i in stored] == [("K", "kept", 1), ("N", "new", 2)]


async def test_upsert_update_subset(async_session: AsyncSession) -> None:
    repo = BaseRepository(Item, async_session)
    await repo.create(sku="K", name="old", qty=1)
    stored = await repo.upsert(sku="K", name="new", qty=5, conflict_on="sku", update=["qty"])
    assert (stored.name, stored.qty) == ("old", 5)


def test_upsert_sync(session: Session) -> None:
    repo = SyncBaseRepository(Counter, session)
    repo.create(code="x", value=1)
    stored = repo.upsert_many(
        [{"code": "x", "value": 2}, {"code": "y", "value": 3}], conflict_on=("code",)
    )
    assert [(c.code, c.value, c.version) for c in stored] == [("x", 2, 2), ("y", 3, 1)]
    assert repo.upsert_many([], conflict_on="code") == []


async def test_upsert_refusals(async_session: AsyncSession, sql_log: SqlLog) -> None:
    repo = BaseRepository(Item, async_session)
    sql_log.clear()
    with pytest.raises(InvalidFilter, match="conflict field 'id'"):
        await repo.upsert(sku="A", name="a")  # default conflict key: the primary key
    with pytest.raises(InvalidFilter, match="repeat the conflict key"):
        await repo.upsert_many(
            [{"sku": "A", "name": "a"}, {"sku": "A", "name": "b"}], conflict_on="sku"
        )
    with pytest.raises(InvalidFilter, match="same fields"):
        await repo.upsert_many(
            [{"sku": "A", "name": "a"}, {"sku": "B", "name": "b", "qty": 1}], conflict_on="sku"
        )
    with pytest.raises(UnknownField):
        await repo.upsert(sku="A", name="a", conflict_on="nope")
    with pytest.raises(InvalidFilter, match="not in the rows"):
        await repo.upsert(sku="A", name="a", conflict_on="sku", update=["qty"])
    assert len(sql_log) == 0


async def test_upsert_still_enforces_other_constraints(async_session: AsyncSession) -> None:
    repo = BaseRepository(User, async_session)
    await repo.create(id=1, name="a", email="a@example.com")
    await repo.create(id=2, name="b", email="b@example.com")
    dialect = async_session.sync_session.get_bind().dialect.name
    if dialect in ("mysql", "mariadb"):
        pytest.skip("MariaDB: ON DUPLICATE KEY UPDATE updates a conflicting row instead of raising")
    with pytest.raises(IntegrityConflict) as caught:
        await repo.upsert(id=2, name="b", email="a@example.com")
    assert caught.value.constraint == "uq_repo_users_email"


async def test_bulk_insert_value_types_round_trip(async_session: AsyncSession) -> None:
    repo = BaseRepository(Measure, async_session)
    ref = uuid.uuid4()
    rows = [
        {"amount": 3, "ratio": 1, "day": date(2024, 1, 2), "flag": True, "ref": ref, "note": None},
        {
            "amount": Decimal("1.25"),
            "ratio": 0.25,
            "day": date(2024, 2, 3),
            "flag": False,
            "ref": None,
            "note": "x" * 300,
        },
    ]
    created = await repo.create_many(rows)
    assert [(m.amount, m.ratio, m.day, m.flag, m.ref) for m in created] == [
        (Decimal("3.00"), 1.0, date(2024, 1, 2), True, ref),
        (Decimal("1.25"), 0.25, date(2024, 2, 3), False, None),
    ]
    assert created[1].note == "x" * 300
    assert await repo.insert_many([{"amount": 7, "day": date(2024, 3, 4)}] * 3) == 3
    assert await repo.count(amount=7, ratio=0.5, flag=False) == 3
