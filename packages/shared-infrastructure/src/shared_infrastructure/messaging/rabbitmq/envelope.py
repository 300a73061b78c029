"""An integration event as an AMQP message, and back.

The body is the event's JSON (:meth:`IntegrationEvent.to_json`), the same
text the outbox stores; the AMQP properties repeat what a broker tool shows
(message id, type = topic, app id = source, the aggregate key header), so
an operator can read a queue without decoding bodies.
"""

from __future__ import annotations

from aio_pika import DeliveryMode, Message

from shared_infrastructure.application.integration_events import IntegrationEvent

CONTENT_TYPE = "application/json"
AGGREGATE_KEY_HEADER = "aggregate-key"


def to_message(event: IntegrationEvent) -> Message:
    return Message(
        event.to_json().encode(),
        content_type=CONTENT_TYPE,
        delivery_mode=DeliveryMode.PERSISTENT,
        message_id=str(event.id),
        type=event.topic,
        app_id=event.source,
        timestamp=event.occurred_at,
        headers={AGGREGATE_KEY_HEADER: event.aggregate_key},
    )


def from_body(body: bytes) -> IntegrationEvent:
    """The event a message carries; :class:`InvalidIntegrationEvent` if none."""
    return IntegrationEvent.from_json(body)


__all__ = ["AGGREGATE_KEY_HEADER", "CONTENT_TYPE", "from_body", "to_message"]
