"""Pure building blocks: entities, aggregates, domain events, errors."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC

import pytest

from shared_infrastructure.domain import (
    AggregateRoot,
    ConcurrencyConflict,
    Conflict,
    DomainEvent,
    DomainRuleViolation,
    Entity,
    NotFound,
    VersionMismatch,
)


class Thing(Entity[str]):
    def __init__(self, identifier: str, name: str) -> None:
        self.id = identifier
        self.name = name


class OtherThing(Entity[str]):
    def __init__(self, identifier: str) -> None:
        self.id = identifier


@dataclass(frozen=True, kw_only=True)
class Renamed(DomainEvent):
    thing_id: str
    name: str


class Box(AggregateRoot[int]):
    def __init__(self, identifier: int) -> None:
        super().__init__()
        self.id = identifier
        self.version = 1

    def rename(self, name: str) -> None:
        self.record_event(Renamed(thing_id=str(self.id), name=name))


def test_entities_are_equal_by_identity_not_attributes() -> None:
    assert Thing("a", "one") == Thing("a", "two")
    assert Thing("a", "one") != Thing("b", "one")
    assert len({Thing("a", "one"), Thing("a", "two")}) == 1


def test_entities_of_different_types_differ() -> None:
    assert Thing("a", "x") != OtherThing("a")
    assert Thing("a", "x") != "a"


def test_domain_events_are_immutable_timestamped_and_identified() -> None:
    event = Renamed(thing_id="a", name="new")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.name = "other"  # type: ignore[misc]
    assert event.occurred_at.tzinfo is UTC
    assert event.event_id != Renamed(thing_id="a", name="new").event_id
    data = event.to_dict()
    assert data["event_type"] == "Renamed"
    assert data["name"] == "new"  # a field called "name" does not clash with the type
    assert data["event_id"] == event.event_id


def test_aggregates_collect_and_hand_out_events_once() -> None:
    box = Box(1)
    box.rename("a")
    box.rename("b")
    assert [e.name for e in box.pending_events] == ["a", "b"]  # type: ignore[attr-defined]
    pulled = box.pull_events()
    assert len(pulled) == 2
    assert box.pull_events() == []
    assert box.pending_events == ()


def test_aggregates_rebuilt_without_init_still_record_events() -> None:
    box = Box.__new__(Box)
    box.id, box.version = 2, 1
    box.rename("x")
    assert len(box.pull_events()) == 1


def test_check_version() -> None:
    box = Box(1)
    box.check_version(None)
    box.check_version(1)
    with pytest.raises(VersionMismatch) as caught:
        box.check_version(3)
    assert isinstance(caught.value, ConcurrencyConflict)
    assert caught.value.expected_version == 3


def test_error_hierarchy_carries_context() -> None:
    missing = NotFound("Product", "PROD001")
    assert missing.context == {"entity": "Product", "id": "PROD001"}
    assert "PROD001" in missing.message
    conflict = Conflict("code taken", field="code")
    assert conflict.field == "code"
    assert DomainRuleViolation("negative", field="price").field == "price"
    assert issubclass(ConcurrencyConflict, Conflict)
