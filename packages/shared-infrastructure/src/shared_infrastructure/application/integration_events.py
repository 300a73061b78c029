"""Integration events: the facts a context publishes for other contexts.

A domain event is a context's private vocabulary and may change with its
model. An integration event is a published contract: it has a name and a
version, a key that orders the events of one aggregate, and a payload of
JSON-safe plain data that a subscriber can read without importing the
publisher. Each context maps the domain events it chooses to publish to
integration events outside its domain layer (its *published language*).

A subscriber declares what it reads with a :class:`Subscription` and keeps
its own copy of the contract; the composition root wires the handlers. The
transport (the outbox relay in process, or a broker between processes)
carries the events as the JSON of :meth:`IntegrationEvent.to_json`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared_infrastructure.domain.events import DomainEvent

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]
"""What a payload may hold: plain JSON data, nothing that needs a decoder."""


class InvalidIntegrationEvent(ValueError):
    """An integration event that breaks its envelope's rules."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True, slots=True)
class IntegrationEvent:
    """One published fact, e.g. ``product_catalog`` /
    ``product.price_changed`` v1 for aggregate key ``PROD001``."""

    source: str
    """The publishing context (one topic per context on a broker)."""
    name: str
    """Stable, dotted event name, e.g. ``product.price_changed``."""
    version: int
    """Contract version: a breaking payload change gets a new version."""
    aggregate_key: str
    """Events with the same key are delivered in the order they occurred."""
    payload: Mapping[str, JsonValue]
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    occurred_at: datetime = field(default_factory=_utcnow)

    def __post_init__(self) -> None:
        for label, text in (("source", self.source), ("name", self.name)):
            if not text or not text.strip():
                raise InvalidIntegrationEvent(f"an integration event needs a {label}")
        if not self.aggregate_key:
            raise InvalidIntegrationEvent("an integration event needs an aggregate key")
        if isinstance(self.version, bool) or not isinstance(self.version, int):
            raise InvalidIntegrationEvent("an integration event's version is an integer")
        if self.version < 1:
            raise InvalidIntegrationEvent("an integration event's version starts at 1")
        if self.occurred_at.tzinfo is None:
            raise InvalidIntegrationEvent("occurred_at must be timezone-aware")
        try:
            json.dumps(self.payload, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise InvalidIntegrationEvent(
                f"the payload of {self.name} v{self.version} is not plain JSON data: {error}"
            ) from error

    @property
    def topic(self) -> str:
        """``name.vN``: what a subscription matches and a broker routes on."""
        return f"{self.name}.v{self.version}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "source": self.source,
            "name": self.name,
            "version": self.version,
            "aggregate_key": self.aggregate_key,
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
            "payload": dict(self.payload),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), allow_nan=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IntegrationEvent:
        try:
            occurred_at = datetime.fromisoformat(str(data["occurred_at"]))
            return cls(
                id=uuid.UUID(str(data["id"])),
                source=str(data["source"]),
                name=str(data["name"]),
                version=data["version"],
                aggregate_key=str(data["aggregate_key"]),
                occurred_at=occurred_at,
                payload=dict(data["payload"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            if isinstance(error, InvalidIntegrationEvent):
                raise
            raise InvalidIntegrationEvent(f"not an integration event: {error!r}") from error

    @classmethod
    def from_json(cls, text: str | bytes) -> IntegrationEvent:
        try:
            data = json.loads(text)
        except ValueError as error:
            raise InvalidIntegrationEvent(f"not JSON: {error}") from error
        if not isinstance(data, dict):
            raise InvalidIntegrationEvent("an integration event is a JSON object")
        return cls.from_dict(data)


PublishedLanguage = Callable[[DomainEvent], Iterable[IntegrationEvent]]
"""A context's choice of which of its domain events to publish, and as what:
the unit of work calls it at commit for every domain event it collected.
Most domain events map to nothing (they stay inside the context)."""

IntegrationEventHandler = Callable[[IntegrationEvent], Awaitable[None]]
"""Applies one event. It runs inside the consumer's transaction (which also
records the event in the inbox), so the work it does through a unit of work
commits, or rolls back, together with that record."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """``subscriber``'s consumer ``consumer`` applies ``name`` v``version``."""

    subscriber: str
    """The subscribing context, e.g. ``events``."""
    consumer: str
    """Unique within the subscriber, e.g. ``ticket_products``; the inbox and a
    broker queue are keyed by (subscriber, consumer)."""
    name: str
    version: int
    handler: IntegrationEventHandler

    @property
    def topic(self) -> str:
        return f"{self.name}.v{self.version}"

    @property
    def key(self) -> str:
        """``subscriber.consumer``: one inbox and one queue per key."""
        return f"{self.subscriber}.{self.consumer}"

    def matches(self, event: IntegrationEvent) -> bool:
        return event.name == self.name and event.version == self.version


__all__ = [
    "IntegrationEvent",
    "IntegrationEventHandler",
    "InvalidIntegrationEvent",
    "JsonValue",
    "PublishedLanguage",
    "Subscription",
]
