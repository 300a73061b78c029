"""The port a relay hands outbox messages to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from shared_infrastructure.application.integration_events import IntegrationEvent


class OutboxPublisher(Protocol):
    """Carries integration events to their subscribers.

    :meth:`publish` returns only when every event is durably accepted (applied
    or parked by every in-process consumer, confirmed by a broker) and raises
    otherwise; the relay marks the rows sent only after it returned. Events
    come in outbox order; a publisher keeps that order per aggregate key.
    """

    async def publish(self, events: Sequence[IntegrationEvent]) -> None: ...


__all__ = ["OutboxPublisher"]
