"""Filter and cursor values are checked against the column's type before any
SQL (``id__gt="abc"`` used to match nothing on SQLite, everything on MariaDB
and fail inside PostgreSQL), and keyset pages on enum columns bind the
cursor values with the columns' types."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import String, Time, TypeDecorator
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared_infrastructure.database.base import Base
from shared_infrastructure.database.repository import (
    BaseRepository,
    InvalidFilter,
    SyncBaseRepository,
)
from shared_infrastructure.domain.query import Cursor, Filter, Op, QuerySpec

from .repo_models import Colour, Item, Measure, User
from .repo_support import SqlLog

COUNT = 9


@pytest.fixture
def items(session: Session) -> SyncBaseRepository[Item]:
    repo = SyncBaseRepository(Item, session)
    repo.create_many(
        [
            {
                "sku": f"S{index}",
                "name": f"item {index}",
                "qty": index % 3,
                "price": Decimal(index) + Decimal("0.5"),
                "colour": Colour.GREEN if index % 2 else Colour.RED,
            }
            for index in range(COUNT)
        ]
    )
    return repo


def walk(repo: SyncBaseRepository[Any], **kwargs: Any) -> list[Any]:
    seen: list[Any] = []
    after = None
    for _ in range(50):
        page = repo.paginate(after=after, **kwargs)
        seen += page.items
        if page.next_cursor is None:
            return seen
        after = page.next_cursor
    raise AssertionError("no last page")


# -- keyset pages on an enum column -------------------------------------------------


@pytest.mark.parametrize("order_by", ["colour", "-colour", ["colour", "qty"], ["-colour", "-qty"]])
@pytest.mark.parametrize("limit", [1, 2, 4])
def test_enum_keyset_pages_cover_every_row_once(
    items: SyncBaseRepository[Item], order_by: Any, limit: int
) -> None:
    expected = items.paginate(limit=1000, order_by=order_by).items
    assert len(expected) == COUNT
    assert [i.id for i in walk(items, limit=limit, order_by=order_by)] == [i.id for i in expected]


async def test_enum_keyset_pages_async(async_session: AsyncSession) -> None:
    repo = BaseRepository(Item, async_session)
    await repo.create_many(
        [{"sku": f"A{i}", "name": "n", "colour": list(Colour)[i % 2]} for i in range(5)]
    )
    first = await repo.paginate(limit=2, order_by="colour")
    second = await repo.paginate(limit=10, order_by="colour", after=first.next_cursor)
    ids = [i.id for i in first] + [i.id for i in second]
    assert len(set(ids)) == 5


# -- filter values -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lookups", "key"),
    [
        ({"id__gt": "abc"}, "id__gt"),
        ({"id": "abc"}, "id"),
        ({"id__ne": "1.5"}, "id__ne"),
        ({"qty__lte": True}, "qty__lte"),
        ({"qty__in": [1, "x"]}, "qty__in"),
        ({"qty__not_in": ["x"]}, "qty__not_in"),
        ({"price__gte": "cheap"}, "price__gte"),
        ({"price__gte": "NaN"}, "price__gte"),
        ({"name": 5}, "name"),
        ({"sku__in": ["S1", 2]}, "sku__in"),
        ({"colour": "purple"}, "colour"),
        ({"colour__in": [Colour.RED, 3]}, "colour__in"),
        ({"id__lt": [1]}, "id__lt"),
    ],
)
def test_values_of_the_wrong_type_are_refused_before_sql(
    items: SyncBaseRepository[Item], sql_log: SqlLog, lookups: dict[str, Any], key: str
) -> None:
    sql_log.clear()
    with pytest.raises(InvalidFilter, match="is not a valid value for Item") as caught:
        items.filter(**lookups)
    assert caught.value.field == key
    assert repr(key) in caught.value.message
    with pytest.raises(InvalidFilter):
        items.count(**lookups)
    assert len(sql_log) == 0


def test_domain_filters_follow_the_same_rule(items: SyncBaseRepository[Item]) -> None:
    with pytest.raises(InvalidFilter, match="is not a valid value") as caught:
        items.find(QuerySpec(filters=(Filter("qty", Op.GT, "abc"),)))
    assert caught.value.field == "qty__gt"
    assert len(items.find(QuerySpec(filters=(Filter("qty", Op.GE, "2"),)))) == 3


@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ({"id__gt": "5"}, {"id__gt": 5}),
        ({"id__in": ["1", " 2", 3]}, {"id__in": [1, 2, 3]}),
        ({"qty": "-0"}, {"qty": 0}),
        ({"price__gte": "3.5"}, {"price__gte": Decimal("3.5")}),
        ({"price__lt": 4}, {"price__lt": Decimal(4)}),
        ({"price__lt": 4.0}, {"price__lt": Decimal(4)}),
        ({"colour": "green"}, {"colour": Colour.GREEN}),
        ({"colour": "GREEN"}, {"colour": Colour.GREEN}),
        ({"colour__in": ["red"]}, {"colour": Colour.RED}),
        ({"name": Colour.RED}, {"name": "red"}),
    ],
    ids=repr,
)
def test_unambiguous_values_are_read_as_the_column_type(
    items: SyncBaseRepository[Item], text: dict[str, Any], typed: dict[str, Any]
) -> None:
    assert [i.id for i in items.filter(**text)] == [i.id for i in items.filter(**typed)]


def test_dates_uuids_and_booleans(session: Session) -> None:
    measures = SyncBaseRepository(Measure, session)
    ref = uuid.uuid4()
    measures.create_many(
        [
            {"amount": Decimal(1), "day": date(2024, 1, 1), "ref": ref},
            {"amount": Decimal(2), "day": date(2024, 1, 3), "flag": True},
        ]
    )
    assert [m.amount for m in measures.filter(day__gt="2024-01-02")] == [Decimal(2)]
    assert [m.amount for m in measures.filter(ref=str(ref))] == [Decimal(1)]
    assert [m.amount for m in measures.filter(flag=1)] == [Decimal(2)]
    for bad in ({"day__gt": "yesterday"}, {"ref": "not-a-uuid"}, {"flag": "yes"}, {"day": 5}):
        with pytest.raises(InvalidFilter, match="is not a valid value for Measure"):
            measures.filter(**bad)

    users = SyncBaseRepository(User, session)
    users.create(name="u", email="u@example.com", last_login=datetime(2024, 5, 1, tzinfo=UTC))
    assert len(users.filter(last_login__gte="2024-04-30T00:00:00+00:00")) == 1
    assert len(users.filter(last_login__gte="2024-04-30T00:00:00")) == 1  # naive: UTC
    assert users.filter(last_login__gte="2024-05-01T00:00:01") == []
    with pytest.raises(InvalidFilter, match=r"is not a valid value for User\.last_login"):
        users.filter(last_login__gte="last week")


# -- cursors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "order_by"),
    [
        (("abc",), None),
        (({"x": 1},), None),
        (([3],), None),
        ((True,), None),
        (("abc", 1), "qty"),
        ((1, "abc"), "qty"),
        (("cheap", 1), "-price"),
        (("purple", 1), "colour"),
        ((1, 1), "name"),
    ],
    ids=repr,
)
def test_tampered_cursors_are_refused_before_sql(
    items: SyncBaseRepository[Item], sql_log: SqlLog, values: tuple[Any, ...], order_by: Any
) -> None:
    sql_log.clear()
    with pytest.raises(InvalidFilter, match="malformed cursor") as caught:
        items.paginate(after=Cursor(values).encode(), order_by=order_by, limit=2)
    assert caught.value.field == "after"
    assert len(sql_log) == 0


def test_a_cursor_with_text_for_an_integer_key_still_pages(
    items: SyncBaseRepository[Item],
) -> None:
    first = items.paginate(limit=3)
    last_id = first.items[-1].id
    by_text = items.paginate(limit=3, after=Cursor((str(last_id),)).encode())
    by_cursor = items.paginate(limit=3, after=first.next_cursor)
    assert [i.id for i in by_text] == [i.id for i in by_cursor]


class Email(str):
    """A value object stored through a custom column type."""


class EmailType(TypeDecorator[str]):
    impl = String(80)
    cache_ok = True


class CoreContact(Base):
    __tablename__ = "core_value_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(EmailType())
    opens: Mapped[time] = mapped_column(Time())


def test_custom_types_take_their_own_values_and_in_takes_any_iterable(
    session: Session,
) -> None:
    """A custom type is not second-guessed by its storage type, and an
    unchecked type's ``__in`` accepts a generator like a checked one's."""
    repo = SyncBaseRepository(CoreContact, session)
    repo.create(email=Email("a@example.org"), opens=time(9))
    assert repo.count(email=Email("a@example.org")) == 1
    assert repo.count(opens__in=(t for t in [time(9), time(10)])) == 1
    assert repo.count(id__in=(n for n in [1, 2, 3])) == 1
