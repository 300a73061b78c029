"""This context's own copy of the catalog contract it reads.

The events context never imports the catalog: it reads the catalog's
integration events by name and version, and this module states what it
relies on in them (a subset of what is published)::

    source   product_catalog
    names    product.created, product.activated, product.price_changed,
             product.discontinued, product.deleted        (all version 1)
    key      the product code
    payload  {"code": str, "on_sale": bool,
              "price": {"amount": "25.00", "currency": "EUR"}}   (no price
              in product.deleted)

Anything else in a payload is ignored, so the catalog may add fields
without breaking this reader; a payload missing what is relied on here is
refused with :class:`InvalidIntegrationEvent` (the delivery then fails and
is retried or parked, rather than corrupting the copy).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from events.domain import TicketPrice, is_ticket_product_code
from shared_infrastructure.application.integration_events import (
    IntegrationEvent,
    InvalidIntegrationEvent,
    JsonValue,
)
from shared_infrastructure.domain import DomainRuleViolation

SOURCE = "product_catalog"
VERSION = 1
PRODUCT_CREATED = "product.created"
PRODUCT_ACTIVATED = "product.activated"
PRODUCT_PRICE_CHANGED = "product.price_changed"
PRODUCT_DISCONTINUED = "product.discontinued"
PRODUCT_DELETED = "product.deleted"

PRODUCT_STATE_EVENTS = (
    PRODUCT_CREATED,
    PRODUCT_ACTIVATED,
    PRODUCT_PRICE_CHANGED,
    PRODUCT_DISCONTINUED,
    PRODUCT_DELETED,
)
"""The events that each carry a product's whole sellable state."""


@dataclass(frozen=True)
class CatalogProductState:
    """What one catalog event says about a product, as of ``occurred_at``."""

    code: str
    price: TicketPrice | None
    on_sale: bool
    occurred_at: datetime


def read_product_state(event: IntegrationEvent) -> CatalogProductState:
    """The product state an event of :data:`PRODUCT_STATE_EVENTS` carries."""
    if event.name not in PRODUCT_STATE_EVENTS or event.version != VERSION:
        raise InvalidIntegrationEvent(
            f"not a catalog product event this context reads: {event.topic}"
        )
    payload = event.payload
    code = payload.get("code")
    if not isinstance(code, str) or not is_ticket_product_code(code) or code != event.aggregate_key:
        raise InvalidIntegrationEvent(
            f"{event.topic}: payload code must be the product code it is keyed by"
        )
    on_sale = payload.get("on_sale")
    if not isinstance(on_sale, bool):
        raise InvalidIntegrationEvent(f"{event.topic}: on_sale must be true or false")
    price = None if event.name == PRODUCT_DELETED else _price(event.topic, payload.get("price"))
    return CatalogProductState(
        code=code, price=price, on_sale=on_sale, occurred_at=event.occurred_at
    )


def _price(topic: str, value: JsonValue | None) -> TicketPrice:
    if not isinstance(value, Mapping):
        raise InvalidIntegrationEvent(f"{topic}: price must be an object with amount and currency")
    amount, currency = value.get("amount"), value.get("currency")
    if not isinstance(amount, str) or not isinstance(currency, str):
        raise InvalidIntegrationEvent(f"{topic}: price amount and currency must be text")
    try:
        return TicketPrice(amount=amount, currency=currency)
    except DomainRuleViolation as error:
        raise InvalidIntegrationEvent(f"{topic}: {error.message}") from None
