"""The consumer that keeps this context's copy of catalog products.

Declared as :class:`Subscription`\\ s and wired by the composition root, so
the events context never imports the catalog::

    subscriptions = ticket_product_subscriptions(lambda: SqlAlchemyEventsUnitOfWork(db))

Each delivery runs inside the consumer's transaction (which also records
the message in the inbox); the handler uses this context's unit of work as
any use case does. It is safe to run again and in any order: a product it
never heard of gets a row from whichever event comes first, and a state
older than the one held is ignored.
"""

from __future__ import annotations

from collections.abc import Callable

from events.application.catalog_contract import (
    PRODUCT_STATE_EVENTS,
    VERSION,
    read_product_state,
)
from events.application.unit_of_work import EventsUnitOfWork
from events.domain import TicketProduct
from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription

SUBSCRIBER = "events"
CONSUMER_PREFIX = "ticket_products"


class TicketProductProjection:
    """Applies one catalog product event to the ticket product copy."""

    def __init__(self, uow_factory: Callable[[], EventsUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def __call__(self, event: IntegrationEvent) -> None:
        state = read_product_state(event)
        async with self._uow_factory().writing() as uow:
            product = await uow.ticket_products.get(state.code)
            if product is None:
                await uow.ticket_products.add(
                    TicketProduct.first_heard(
                        state.code,
                        price=state.price,
                        on_sale=state.on_sale,
                        as_of=state.occurred_at,
                    )
                )
            else:
                product.update(price=state.price, on_sale=state.on_sale, as_of=state.occurred_at)
            await uow.commit()


def ticket_product_subscriptions(
    uow_factory: Callable[[], EventsUnitOfWork],
) -> list[Subscription]:
    """One consumer per product event read (a consumer key is unique:
    ``events.ticket_products.activated``...), all applying to the same copy.
    The relay delivers the events of one product in order whichever
    consumer they go to, and the copy ignores a state older than its own."""
    handler = TicketProductProjection(uow_factory)
    return [
        Subscription(SUBSCRIBER, _consumer(name), name, VERSION, handler)
        for name in PRODUCT_STATE_EVENTS
    ]


def _consumer(name: str) -> str:
    return f"{CONSUMER_PREFIX}.{name.removeprefix('product.')}"
