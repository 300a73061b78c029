"""The SQLAlchemy unit of work of the events context."""

from __future__ import annotations

from events.application import EventsUnitOfWork
from events.infrastructure.repository import (
    SqlAlchemyEventRepository,
    SqlAlchemyRegistrationRepository,
    SqlAlchemyTicketProductRepository,
)
from shared_infrastructure.persistence import SqlAlchemyUnitOfWork


class SqlAlchemyEventsUnitOfWork(SqlAlchemyUnitOfWork, EventsUnitOfWork):
    """``SqlAlchemyEventsUnitOfWork(database)``; joins the request's session
    when the ``DatabaseSessionMiddleware`` opened one."""

    events: SqlAlchemyEventRepository
    registrations: SqlAlchemyRegistrationRepository
    ticket_products: SqlAlchemyTicketProductRepository

    def _create_repositories(self) -> None:
        self.events = SqlAlchemyEventRepository(self)
        self.registrations = SqlAlchemyRegistrationRepository(self)
        self.ticket_products = SqlAlchemyTicketProductRepository(self)
