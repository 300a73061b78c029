"""``field__lookup`` filters: every lookup, LIKE escaping, and refusals that
happen before any SQL reaches the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from shared_infrastructure.database.errors import InvalidValue
from shared_infrastructure.database.repository import (
    LOOKUPS,
    BaseRepository,
    InvalidFilter,
    RawPattern,
    SyncBaseRepository,
    UnknownField,
    UnknownLookup,
)
from shared_infrastructure.database.repository.base import loggable
from shared_infrastructure.database.repository.mapping import model_info
from shared_infrastructure.domain.errors import DomainRuleViolation
from shared_infrastructure.domain.query import Filter, InvalidQuery, Op

from .repo_models import Colour, Item, User
from .repo_support import SqlLog

NAMES = ["100%_sure", "100 sure", "a_b", "axb", "AXB", "back\\slash", "plain"]


@pytest.fixture
def items(session: Session) -> SyncBaseRepository[Item]:
    repo = SyncBaseRepository(Item, session)
    repo.create_many(
        [
            {
                "sku": f"S{index}",
                "name": name,
                "qty": index,
                "price": Decimal(index) / 2,
                "note": None if index % 2 else f"note {index}",
                "colour": Colour.GREEN if index < 3 else Colour.RED,
            }
            for index, name in enumerate(NAMES)
        ]
    )
    return repo


def names(rows: list[Item]) -> list[str]:
    return [row.name for row in rows]


# -- the two headline refusals ------------------------------------------


def test_unknown_lookup_is_refused_before_any_sql(
    items: SyncBaseRepository[Item], sql_log: SqlLog
) -> None:
    items.count()  # the session is in use; nothing pending
    sql_log.clear()
    with pytest.raises(UnknownLookup) as caught:
        items.filter(name__evil="x")
    assert len(sql_log) == 0
    message = str(caught.value)
    assert "'evil'" in message
    assert "'name__evil'" in message
    assert "allowed lookups: endswith, eq, gt, gte, ilike, in, isnull" in message
    assert isinstance(caught.value, InvalidFilter)
    assert isinstance(caught.value, InvalidQuery)  # -> HTTP 422
    assert caught.value.field == "name__evil"


def test_injection_shaped_key_is_refused_before_any_sql(
    items: SyncBaseRepository[Item], sql_log: SqlLog
) -> None:
    items.count()
    sql_log.clear()
    with pytest.raises(UnknownField) as caught:
        items.filter(**{"id; drop table": 1})
    assert len(sql_log) == 0
    assert "'id; drop table'" in str(caught.value)
    assert "allowed fields: colour, id, name, note, price, qty, sku" in str(caught.value)
    assert items.count() == len(NAMES)  # table still there


@pytest.mark.parametrize(
    "call",
    [
        lambda r: r.get_by(**{"name__evil": 1}),
        lambda r: r.count(**{"id; drop table": 1}),
        lambda r: r.exists(**{"nme": 1}),
        lambda r: r.update_many(filters={"name__evil": 1}, qty=1),
        lambda r: r.update_many(filters={"name": "x"}, **{"qty; --": 1}),
        lambda r: r.delete_many(**{"id__in; drop": [1]}),
        lambda r: r.filter(order_by="name; drop table"),
        lambda r: r.paginate(order_by="-nope"),
        lambda r: r.get_by_or_raise(**{"__": 1}),
    ],
)
def test_every_method_refuses_bad_keys_before_sql(
    items: SyncBaseRepository[Item], sql_log: SqlLog, call: Callable[[Any], Any]
) -> None:
    items.count()
    sql_log.clear()
    with pytest.raises(InvalidFilter):
        call(items)
    assert len(sql_log) == 0


async def test_async_refusals_execute_nothing(async_session: AsyncSession, sql_log: SqlLog) -> None:
    repo = BaseRepository(User, async_session)
    await repo.count()
    sql_log.clear()
    with pytest.raises(UnknownLookup):
        await repo.filter(name__evil="x")
    with pytest.raises(UnknownField):
        await repo.filter(**{"id; drop table": 1})
    with pytest.raises(UnknownField):
        await repo.delete_many(**{"id; drop table": 1})
    assert len(sql_log) == 0


def test_invalid_keys_are_not_cached(items: SyncBaseRepository[Item]) -> None:
    for key in ("nope", "name__evil", "id; drop table"):
        with pytest.raises(InvalidFilter):
            items.filter(**{key: 1})
    cached = model_info(Item).lookups
    assert not {"nope", "name__evil", "id; drop table"} & set(cached)


# -- lookups ---------------------------------------------------------------------


def test_comparisons(items: SyncBaseRepository[Item]) -> None:
    assert items.count(qty__lt=2) == 2
    assert items.count(qty__lte=2) == 3
    assert items.count(qty__gt=5) == 1
    assert items.count(qty__gte=5) == 2
    assert items.count(qty__ne=0) == 6
    assert items.count(qty__eq=0) == items.count(qty=0) == 1
    assert items.count(price__gte=Decimal("2.5")) == 2
    assert items.count(qty__gte=1, qty__lt=3, colour=Colour.GREEN) == 2


def test_in_and_not_in(items: SyncBaseRepository[Item]) -> None:
    assert names(items.filter(sku__in=["S0", "S2", "missing"], order_by="sku")) == [
        "100%_sure",
        "a_b",
    ]
    assert items.count(sku__in=("S1",)) == 1
    assert items.count(qty__in={1, 2, 3}) == 3
    assert items.count(qty__in=range(3)) == 3
    assert items.count(sku__in=[]) == 0
    assert items.count(sku__not_in=["S0", "S1"]) == 5
    assert items.count(sku__not_in=[]) == len(NAMES)


def test_long_in_lists(items: SyncBaseRepository[Item]) -> None:
    """Longer than the PostgreSQL ``= ANY`` threshold."""
    many = list(range(-5_000, 3))
    assert items.count(qty__in=many) == 3
    assert items.count(qty__not_in=many) == 4


async def test_long_in_lists_async(async_session: AsyncSession) -> None:
    """``= ANY`` through asyncpg needs typed arrays: text, integers, numerics."""
    repo = BaseRepository(Item, async_session)
    await repo.create_many(
        [{"sku": f"L{i}", "name": f"n{i}", "price": Decimal(i)} for i in range(10)]
    )
    skus = [f"L{i}" for i in range(500)]
    assert await repo.count(sku__in=skus) == 10
    assert await repo.count(price__in=[Decimal(i) for i in range(3, 300)]) == 7
    assert await repo.count(qty__not_in=list(range(1, 400))) == 10
    assert await repo.update_many(filters={"sku__in": skus}, qty=3) == 10
    assert await repo.delete_many(sku__in=skus[5:]) == 5


def test_isnull_and_none(items: SyncBaseRepository[Item]) -> None:
    assert items.count(note__isnull=True) == 3
    assert items.count(note__isnull=False) == 4
    assert items.count(note=None) == 3
    assert items.count(note__ne=None) == 4


def test_like_matches_percent_and_underscore_literally(items: SyncBaseRepository[Item]) -> None:
    assert names(items.filter(name__like="100%")) == ["100%_sure"]
    assert names(items.filter(name__like="%_")) == ["100%_sure"]
    assert names(items.filter(name__like="a_b")) == ["a_b"]
    assert names(items.filter(name__like="k\\s")) == ["back\\slash"]
    assert names(items.filter(name__startswith="100%")) == ["100%_sure"]
    assert names(items.filter(name__endswith="_b")) == ["a_b"]
    assert items.count(name__like="_") == 2  # "100%_sure", "a_b": literal underscores


def test_ilike_is_case_insensitive_and_escaped(items: SyncBaseRepository[Item]) -> None:
    assert sorted(names(items.filter(name__ilike="axb"))) == ["AXB", "axb"]
    assert names(items.filter(name__ilike="A_B")) == ["a_b"]
    assert names(items.filter(name__ilike="100%_S")) == ["100%_sure"]


def test_raw_patterns_are_wildcards(items: SyncBaseRepository[Item]) -> None:
    assert sorted(names(items.filter(name__like=RawPattern("a_b")))) == ["a_b", "axb"]
    assert sorted(names(items.filter(name__like=RawPattern("100%sure")))) == [
        "100 sure",
        "100%_sure",
    ]
    assert names(items.filter(name__like=RawPattern("100\\%%"))) == ["100%_sure"]
    assert sorted(names(items.filter(name__ilike=RawPattern("A_B")))) == ["AXB", "a_b", "axb"]


def test_like_on_glob_and_regex_metacharacters(session: Session) -> None:
    """SQLite runs ``like`` as GLOB: its own wildcards must stay literal."""
    repo = SyncBaseRepository(Item, session)
    repo.create_many(
        [{"sku": f"G{i}", "name": name} for i, name in enumerate(["a*b", "a?b", "[ab]", "aXb"])]
    )
    assert names(repo.filter(name__like="*")) == ["a*b"]
    assert names(repo.filter(name__like="?")) == ["a?b"]
    assert names(repo.filter(name__like="[a")) == ["[ab]"]
    assert names(repo.filter(name__startswith="[")) == ["[ab]"]
    assert names(repo.filter(name__like=RawPattern("a_b"), order_by="sku")) == [
        "a*b",
        "a?b",
        "aXb",
    ]
    assert repo.count(name__like="X") == 1
    assert repo.count(name__like="x") == 0  # case-sensitive on every database


def test_domain_filters_and_expressions(items: SyncBaseRepository[Item]) -> None:
    assert names(items.filter(Filter("name", Op.LIKE, "a_b"))) == ["a_b"]
    assert sorted(names(items.filter(Filter("name", Op.LIKE, "a_b", raw=True)))) == [
        "a_b",
        "axb",
    ]
    assert items.count(Filter("qty", Op.GE, 5), Filter("note", Op.IS_NULL, False)) == 1
    assert items.count(Item.qty.between(1, 3), colour=Colour.GREEN) == 2
    with pytest.raises(UnknownField):
        items.filter(Filter("price.amount", Op.EQ, 1))
    with pytest.raises(InvalidFilter, match="positional filters"):
        items.filter("qty > 1")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lookups", "message"),
    [
        ({"qty__in": "abc"}, "needs a list"),
        ({"qty__in": 3}, "needs a list"),
        ({"qty__not_in": {"a": 1}}, "needs a list"),
        ({"name__like": 5}, "needs text"),
        ({"name__ilike": None}, "needs text"),
        ({"note__isnull": "yes"}, "needs true or false"),
        ({"qty__lt": None}, "use __isnull"),
    ],
)
def test_bad_values_are_refused_before_sql(
    items: SyncBaseRepository[Item], sql_log: SqlLog, lookups: dict[str, Any], message: str
) -> None:
    items.count()
    sql_log.clear()
    with pytest.raises(InvalidFilter, match=message):
        items.filter(**lookups)
    assert len(sql_log) == 0


def test_naive_datetimes_are_read_as_utc_in_filters(session: Session) -> None:
    repo = SyncBaseRepository(User, session)
    repo.create(
        name="old", email="old@example.com", last_login=datetime(2024, 1, 1, 12, tzinfo=UTC)
    )
    assert repo.count(last_login__lt=datetime(2024, 1, 1, 13)) == 1
    assert repo.count(last_login__lt=datetime(2024, 1, 1, 11)) == 0
    assert repo.count(last_login__in=[datetime(2024, 1, 1, 12)]) == 1


def test_naive_datetimes_are_read_as_utc_on_writes(session: Session) -> None:
    repo = SyncBaseRepository(User, session)
    user = repo.create(name="naive", email="naive@example.com", last_login=datetime(2024, 5, 1, 8))
    session.expire_all()
    loaded = repo.get(user.id)
    assert loaded is not None
    assert loaded.last_login == datetime(2024, 5, 1, 8, tzinfo=UTC)
    assert repo.update_many(filters={"last_login__lt": datetime(2024, 6, 1)}, name="moved") == 1


def test_a_value_that_is_no_datetime_is_a_clear_error(session: Session) -> None:
    """Not a 500 "database error: StatementError": a 422-class error, and
    nothing written."""
    repo = SyncBaseRepository(User, session)
    with pytest.raises(InvalidValue, match="not a datetime") as caught:
        repo.create(name="bad", email="bad@example.com", last_login=12)
    assert isinstance(caught.value, DomainRuleViolation)
    session.rollback()
    assert repo.count(name="bad") == 0


def test_lookup_table_is_the_documented_one() -> None:
    assert set(LOOKUPS) == {
        "eq",
        "ne",
        "lt",
        "lte",
        "gt",
        "gte",
        "in",
        "not_in",
        "like",
        "ilike",
        "startswith",
        "endswith",
        "isnull",
    }


def test_logged_attributes_mask_secrets() -> None:
    logged = loggable({"name": "John", "password": "s3cret", "api_key": "k", "blob": "x" * 500})
    assert logged["name"] == "'John'"
    assert logged["password"] == logged["api_key"] == "***"
    assert len(logged["blob"]) < 250
