"""The service's message broker settings and the topology they describe.

``BROKER_URL`` unset (the default): integration events stay in process, as
the outbox relay delivers them inside ``api serve``. ``BROKER_URL`` set
(``amqp://user:pass@host:5672/vhost``): the relay in each API process
publishes them to RabbitMQ, and ``api worker`` processes consume them.
Read from the environment and ``.env``, like the database settings; a bad
value fails at start, by name.

Nothing here imports the broker client: the ``rabbitmq`` extra is only
loaded when a broker is configured.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared_infrastructure.application.integration_events import Subscription
from shared_infrastructure.config.settings import SettingsError, redact

if TYPE_CHECKING:
    from shared_infrastructure.messaging.rabbitmq import BrokerTopology

DEFAULT_NAMESPACE = "integration"


class BrokerSettings(BaseSettings):
    """``BROKER_URL``, ``BROKER_NAMESPACE``, ``BROKER_MAX_DELIVERIES``,
    ``BROKER_PREFETCH``."""

    model_config = SettingsConfigDict(
        env_prefix="BROKER_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    url: str | None = None
    """The RabbitMQ to carry integration events; none: in process."""
    namespace: str = Field(DEFAULT_NAMESPACE, min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    """Prefix of every exchange and queue name (one per deployment)."""
    max_deliveries: int = Field(5, ge=1, le=1000)
    """Failures of a message before it is dead-lettered."""
    prefetch: int = Field(64, ge=1, le=65535)
    """Messages a worker holds per queue ahead of the one it handles."""

    @field_validator("url", mode="after")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("amqp://", "amqps://")):
            raise ValueError("a RabbitMQ URL starts with amqp:// or amqps://")
        return value

    @property
    def enabled(self) -> bool:
        return self.url is not None

    def describe(self) -> str:
        return redact(self.url) if self.url else "none (integration events stay in process)"

    def topology(
        self, sources: Sequence[str], subscriptions: Sequence[Subscription]
    ) -> BrokerTopology:
        from shared_infrastructure.messaging.rabbitmq import BrokerTopology

        return BrokerTopology(
            tuple(sources),
            tuple(subscriptions),
            namespace=self.namespace,
            max_deliveries=self.max_deliveries,
        )


def load_broker_settings(**overrides: Any) -> BrokerSettings:
    """Broker settings, with validation errors as one readable message."""
    try:
        return BrokerSettings(**overrides)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = "BROKER_" + ".".join(str(part) for part in item["loc"]).upper()
            problems.append(f"{name}: {item['msg']} (got {item.get('input')!r})")
        raise SettingsError(redact("invalid settings: " + "; ".join(problems))) from None


__all__ = [
    "DEFAULT_NAMESPACE",
    "BrokerSettings",
    "load_broker_settings",
]
