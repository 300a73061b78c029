"""Integration events over RabbitMQ (the ``rabbitmq`` extra: aio-pika).

:class:`RabbitMQPublisher` is the outbox relay's publisher,
:class:`RabbitMQWorker` runs a worker process's consumers, and
:mod:`.dead_letters` shows and requeues what they parked. The shape of the
broker side (exchanges, queues, ordering, dead letters) is in
:mod:`.topology`; docs/adr/0036 says why aio-pika.
"""

from shared_infrastructure.messaging.rabbitmq.delivery import Apply, Outcome, RetryPolicy
from shared_infrastructure.messaging.rabbitmq.publisher import (
    PublishFailed,
    RabbitMQPublisher,
    UnknownSource,
)
from shared_infrastructure.messaging.rabbitmq.topology import BrokerTopology
from shared_infrastructure.messaging.rabbitmq.worker import RabbitMQWorker

__all__ = [
    "Apply",
    "BrokerTopology",
    "Outcome",
    "PublishFailed",
    "RabbitMQPublisher",
    "RabbitMQWorker",
    "RetryPolicy",
    "UnknownSource",
]
