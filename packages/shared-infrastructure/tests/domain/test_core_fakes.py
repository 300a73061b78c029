"""The in-memory fakes behave like the SQL adapters where a use case could
tell: nothing visible before commit, rollback forgets, stale versions and
duplicates conflict, events come out only after a successful commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from shared_infrastructure.application.fakes import FakeUnitOfWork, InMemoryRepository
from shared_infrastructure.domain import (
    AggregateRoot,
    ConcurrencyConflict,
    Conflict,
    DomainEvent,
    Filter,
    InvalidQuery,
    Op,
    Ordering,
    QuerySpec,
)


@dataclass(frozen=True, kw_only=True)
class Relabelled(DomainEvent):
    item_id: str


class Item(AggregateRoot[str]):
    def __init__(self, identifier: str, code: str, label: str = "") -> None:
        super().__init__()
        self.id = identifier
        self.code = code
        self.label = label
        self.version = 0

    def relabel(self, label: str) -> None:
        self.label = label
        self.record_event(Relabelled(item_id=self.id))


class ItemsUnitOfWork(FakeUnitOfWork):
    def __init__(self, storage: dict[Any, Item]) -> None:
        super().__init__()
        self.items: InMemoryRepository[Item, str] = InMemoryRepository(
            self,
            storage,
            entity_name="Item",
            unique_fields=("code",),
            queryable_fields=frozenset({"code", "label"}),
        )


@pytest.fixture
def storage() -> dict[Any, Item]:
    return {}


async def _store(storage: dict[Any, Item], *items: Item) -> None:
    async with ItemsUnitOfWork(storage) as uow:
        for item in items:
            await uow.items.add(item)
        await uow.commit()


async def test_commit_stores_and_versions(storage: dict[Any, Item]) -> None:
    async with ItemsUnitOfWork(storage) as uow:
        await uow.items.add(Item("a", "A1"))
        assert storage == {}  # nothing visible before commit
        await uow.commit()
    assert storage["a"].version == 1
    assert uow.commits == 1


async def test_leaving_without_commit_rolls_back(storage: dict[Any, Item]) -> None:
    await _store(storage, Item("a", "A1"))
    async with ItemsUnitOfWork(storage) as uow:
        item = await uow.items.get_or_raise("a")
        item.relabel("changed")
    assert storage["a"].label == ""
    assert uow.rollbacks >= 1
    assert uow.collect_events() == []


async def test_writing_is_the_same_unit_of_work_with_intent_declared(
    storage: dict[Any, Item],
) -> None:
    async with ItemsUnitOfWork(storage).writing() as uow:
        await uow.items.add(Item("a", "A1"))
        await uow.commit()
        await uow.items.add(Item("b", "B1"))  # left uncommitted
    assert sorted(storage) == ["a"]
    assert (uow.entered_for_writing, uow.commits) == (1, 1)
    assert uow.rollbacks >= 1

    async with uow:
        await uow.items.get_or_raise("a")
    assert uow.entered_for_writing == 1


async def test_leaving_writing_on_an_error_rolls_back(storage: dict[Any, Item]) -> None:
    await _store(storage, Item("a", "A1"))
    uow = ItemsUnitOfWork(storage)

    async def relabel_then_fail() -> None:
        async with uow.writing():
            (await uow.items.get_or_raise("a")).relabel("changed")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await relabel_then_fail()
    assert storage["a"].label == ""
    assert uow.collect_events() == []


async def test_changes_are_written_back_without_save(storage: dict[Any, Item]) -> None:
    await _store(storage, Item("a", "A1"))
    async with ItemsUnitOfWork(storage) as uow:
        (await uow.items.get_or_raise("a")).relabel("new")
        await uow.commit()
    assert storage["a"].label == "new"
    assert storage["a"].version == 2
    events = uow.collect_events()
    assert [type(event) for event in events] == [Relabelled]
    assert uow.collect_events() == []


async def test_reads_are_copies(storage: dict[Any, Item]) -> None:
    await _store(storage, Item("a", "A1"))
    async with ItemsUnitOfWork(storage) as uow:
        item = await uow.items.get_or_raise("a")
        item.label = "not committed"
        assert storage["a"].label == ""


async def test_stale_version_conflicts(storage: dict[Any, Item]) -> None:
    await _store(storage, Item("a", "A1"))
    async with ItemsUnitOfWork(storage) as first, ItemsUnitOfWork(storage) as second:
        (await first.items.get_or_raise("a")).relabel("first")
        (await second.items.get_or_raise("a")).relabel("second")
        await first.commit()
        with pytest.raises(ConcurrencyConflict):
            await second.commit()
        assert second.collect_events() == []
    assert storage["a"].label == "first"


async def test_unique_fields_and_ids_conflict(storage: dict[Any, Item]) -> None:
    await _store(storage, Item("a", "A1"))
    async with ItemsUnitOfWork(storage) as uow:
        await uow.items.add(Item("b", "A1"))
        with pytest.raises(Conflict) as caught:
            await uow.commit()
    assert caught.value.field == "code"
    async with ItemsUnitOfWork(storage) as uow:
        await uow.items.add(Item("a", "Z9"))
        with pytest.raises(Conflict) as caught:
            await uow.commit()
    assert caught.value.field == "id"
    assert set(storage) == {"a"}


async def test_fail_next_commit_changes_nothing(storage: dict[Any, Item]) -> None:
    async with ItemsUnitOfWork(storage) as uow:
        uow.fail_next_commit = RuntimeError("disk full")
        await uow.items.add(Item("a", "A1"))
        with pytest.raises(RuntimeError):
            await uow.commit()
    assert storage == {}


async def test_remove_takes_effect_on_commit_only(storage: dict[Any, Item]) -> None:
    await _store(storage, Item("a", "A1"))
    async with ItemsUnitOfWork(storage) as uow:
        await uow.items.remove(await uow.items.get_or_raise("a"))
    assert set(storage) == {"a"}
    async with ItemsUnitOfWork(storage) as uow:
        await uow.items.remove(await uow.items.get_or_raise("a"))
        await uow.commit()
    assert storage == {}


async def test_list_filters_orders_and_pages_with_cursors(storage: dict[Any, Item]) -> None:
    await _store(storage, *(Item(f"i{n}", f"C{n}", label=f"x_{n % 2}") for n in range(5)))
    async with ItemsUnitOfWork(storage) as uow:
        spec = QuerySpec(
            filters=(Filter("label", Op.LIKE, "x_1"),), order_by=(Ordering("code", True),)
        )
        page = await uow.items.list(spec)
        assert [item.id for item in page] == ["i3", "i1"]
        first = await uow.items.list(QuerySpec(limit=2))
        assert first.total == 5
        assert first.next_cursor
        second = await uow.items.list(QuerySpec(limit=2, after=first.next_cursor))
        assert [item.id for item in first] + [item.id for item in second] == [
            "i0",
            "i1",
            "i2",
            "i3",
        ]
        with pytest.raises(InvalidQuery):
            await uow.items.list(QuerySpec(filters=(Filter("secret", Op.EQ, 1),)))
