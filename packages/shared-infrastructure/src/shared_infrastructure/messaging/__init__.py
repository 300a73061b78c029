"""Integration events between contexts: a transactional outbox, a relay and
an inbox per consumer (docs/architecture.md, "Integration events").

- the unit of work writes the integration events of a commit to
  ``messaging_outbox`` in the same transaction (:mod:`.outbox`);
- :class:`OutboxRelay` hands pending rows, in order per aggregate key, to an
  :class:`OutboxPublisher` and marks them sent once accepted;
- :class:`InProcessPublisher` (the embedded default) applies them to this
  process's subscriptions through each consumer's :class:`Inbox`, retrying
  with backoff and parking a message that keeps failing;
- :func:`outbox_status`, :func:`retry_parked` and :func:`replay` for
  operators.
"""

from shared_infrastructure.messaging.in_process import InProcessPublisher, RetryPolicy
from shared_infrastructure.messaging.inbox import Inbox
from shared_infrastructure.messaging.operations import (
    OutboxStatus,
    ParkedMessage,
    RetryOutcome,
    UnknownParkedMessage,
    outbox_status,
    parked_messages,
    replay,
    retry_parked,
)
from shared_infrastructure.messaging.publisher import OutboxPublisher
from shared_infrastructure.messaging.relay import OutboxRelay, RelaySettings

__all__ = [
    "InProcessPublisher",
    "Inbox",
    "OutboxPublisher",
    "OutboxRelay",
    "OutboxStatus",
    "ParkedMessage",
    "RelaySettings",
    "RetryOutcome",
    "RetryPolicy",
    "UnknownParkedMessage",
    "outbox_status",
    "parked_messages",
    "replay",
    "retry_parked",
]
