"""The catalog's published language: which facts other contexts may rely on.

Most domain events stay inside the catalog (a renamed product, a new
description). The ones below become versioned integration events whose
payload carries the product's sellable state as plain JSON, so a
subscriber can keep its own copy of it from any single event, whatever it
missed before::

    product.created       v1  {code, name, price, status, on_sale}
    product.activated     v1  {code, price, status, on_sale}
    product.price_changed v1  {code, price, old_price, status, on_sale}
    product.discontinued  v1  {code, price, status, on_sale}
    product.deleted       v1  {code, status, on_sale}

``price`` is ``{"amount": "25.00", "currency": "EUR"}``: the amount is a
decimal string (never a float) with the currency's minor unit. ``on_sale``
is true exactly while the product is active. The aggregate key is the
product code, unique for ever (a deleted product's code is never reused),
so the events of one product reach a subscriber in the order they occurred.

A breaking change to a payload gets a new version, published beside the
old one until every subscriber moved.
"""

from __future__ import annotations

from product_catalog.domain.events import (
    ProductActivated,
    ProductCreated,
    ProductDeleted,
    ProductDiscontinued,
    ProductPriceChanged,
)
from product_catalog.domain.money import Money
from product_catalog.domain.product_status import ProductStatus
from shared_infrastructure.application.integration_events import IntegrationEvent, JsonValue
from shared_infrastructure.domain import DomainEvent

SOURCE = "product_catalog"
VERSION = 1

PRODUCT_CREATED = "product.created"
PRODUCT_ACTIVATED = "product.activated"
PRODUCT_PRICE_CHANGED = "product.price_changed"
PRODUCT_DISCONTINUED = "product.discontinued"
PRODUCT_DELETED = "product.deleted"

PUBLISHED = (
    PRODUCT_CREATED,
    PRODUCT_ACTIVATED,
    PRODUCT_PRICE_CHANGED,
    PRODUCT_DISCONTINUED,
    PRODUCT_DELETED,
)
"""Every integration event name the catalog publishes (all at version 1)."""


def published_language(event: DomainEvent) -> list[IntegrationEvent]:
    """The integration events for one domain event (none for most of them).

    A :data:`~shared_infrastructure.application.integration_events.PublishedLanguage`:
    the unit of work calls it at commit for every domain event it collected.
    """
    match event:
        case ProductCreated():
            payload = _state(event.code, event.price, ProductStatus.DRAFT)
            payload["name"] = event.product_name
            return [_integration(PRODUCT_CREATED, event, payload)]
        case ProductActivated():
            payload = _state(event.code, event.price, ProductStatus.ACTIVE)
            return [_integration(PRODUCT_ACTIVATED, event, payload)]
        case ProductPriceChanged():
            payload = _state(event.code, event.new_price, event.status)
            payload["old_price"] = _money(event.old_price)
            return [_integration(PRODUCT_PRICE_CHANGED, event, payload)]
        case ProductDiscontinued():
            payload = _state(event.code, event.price, ProductStatus.DISCONTINUED)
            return [_integration(PRODUCT_DISCONTINUED, event, payload)]
        case ProductDeleted():
            deleted: dict[str, JsonValue] = {
                "code": event.code,
                "status": "deleted",
                "on_sale": False,
            }
            return [_integration(PRODUCT_DELETED, event, deleted)]
        case _:
            return []


def _integration(name: str, event: DomainEvent, payload: dict[str, JsonValue]) -> IntegrationEvent:
    code = payload["code"]
    assert isinstance(code, str)
    return IntegrationEvent(
        source=SOURCE,
        name=name,
        version=VERSION,
        aggregate_key=code,
        payload=payload,
        # The domain event's identity and time: mapping the same domain event
        # twice gives the same integration event, and subscribers can order
        # states by when they happened.
        id=event.event_id,
        occurred_at=event.occurred_at,
    )


def _state(code: str, price: Money, status: ProductStatus) -> dict[str, JsonValue]:
    return {
        "code": code,
        "price": _money(price),
        "status": status.value,
        "on_sale": status is ProductStatus.ACTIVE,
    }


def _money(money: Money) -> dict[str, JsonValue]:
    # "f": never an exponent ("1E+3"), whatever the Decimal's internal form.
    return {"amount": format(money.amount, "f"), "currency": money.currency}


__all__ = [
    "PRODUCT_ACTIVATED",
    "PRODUCT_CREATED",
    "PRODUCT_DELETED",
    "PRODUCT_DISCONTINUED",
    "PRODUCT_PRICE_CHANGED",
    "PUBLISHED",
    "SOURCE",
    "VERSION",
    "published_language",
]
