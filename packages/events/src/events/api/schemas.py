"""Request and response bodies of the events API (pydantic lives only here).

Requests check types and shape (aware datetimes, no unknown fields); the
business rules (end after start, capacity, email...) stay in the domain so
there is one source of truth, and its errors reach the client as 4xx too.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from events.application import (
    DEFAULT_PAGE_SIZE,
    MAX_OFFSET,
    MAX_PAGE_SIZE,
    CreateEvent,
    EventChanges,
    EventDetails,
    EventSummary,
    ListEvents,
    ListRegistrations,
    RegistrationDetails,
    TicketDetails,
)
from events.domain import EventStatus, RegistrationStatus
from events.domain.details import (
    MAX_CAPACITY,
    MAX_DESCRIPTION_LENGTH,
    MAX_TITLE_LENGTH,
    MAX_VENUE_LENGTH,
)
from events.domain.identifiers import MAX_ID_LENGTH
from events.domain.registration import MAX_EMAIL_LENGTH
from events.domain.ticket import MAX_PRODUCT_CODE_LENGTH, PRODUCT_CODE_PATTERN
from shared_infrastructure.web.openapi import partial_update_schema


def _integral(value: Any) -> Any:
    """``3.0`` is the integer 3 in JSON; text and booleans stay refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# The domain's rules, stated for clients (the domain still checks them).
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
_NO_CONTROL = r"\x00-\x1f\x7f-\x9f"
TEXT_PATTERN = rf"^[^{_NO_CONTROL}]*$"
TITLE_PATTERN = rf"^[^{_NO_CONTROL}]*[^\s{_NO_CONTROL}][^{_NO_CONTROL}]*$"
DESCRIPTION_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
EMAIL_PATTERN = rf"^[^@\s{_NO_CONTROL}]+@[^@\s{_NO_CONTROL}]+\.[^@\s{_NO_CONTROL}]+$"

EventId = Annotated[str, Field(max_length=MAX_ID_LENGTH, pattern=ID_PATTERN)]
Title = Annotated[str, Field(max_length=MAX_TITLE_LENGTH, pattern=TITLE_PATTERN)]
Description = Annotated[str, Field(max_length=MAX_DESCRIPTION_LENGTH, pattern=DESCRIPTION_PATTERN)]
Venue = Annotated[str, Field(max_length=MAX_VENUE_LENGTH, pattern=TEXT_PATTERN)]


def _iso_text(value: Any) -> Any:
    """ISO 8601 text only: pydantic would also read a number as Unix time."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise ValueError("must be an ISO 8601 date and time with an offset")
    return value


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_text)]
Capacity = Annotated[int, Field(strict=True, ge=1, le=MAX_CAPACITY), BeforeValidator(_integral)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventCreate(_Request):
    id: EventId | None = Field(
        default=None,
        description="Slug such as `ev_001`; generated when omitted.",
        examples=["ev_001"],
    )
    title: Title = Field(examples=["Jazz Festival 2030"])
    description: Description = Field(default="", examples=["Annual jazz festival"])
    venue: Venue = Field(default="", examples=["Parc de la Villette, Paris"])
    starts_at: IsoDateTime = Field(examples=["2030-07-01T20:00:00+02:00"])
    ends_at: IsoDateTime = Field(
        description="After starts_at", examples=["2030-07-02T01:00:00+02:00"]
    )
    capacity: Capacity = Field(description="Seats on offer.", examples=[500])
    ticket_product_code: str | None = Field(
        default=None,
        max_length=MAX_PRODUCT_CODE_LENGTH,
        pattern=PRODUCT_CODE_PATTERN,
        description="Code of the catalog product sold as the ticket (e.g. `PROD001`): "
        "registering then needs that product on sale. The product may be created in the "
        "catalog before or after the event.",
        examples=["PROD001"],
    )

    def to_command(self) -> CreateEvent:
        return CreateEvent(**self.model_dump())


class EventUpdate(_Request):
    """Partial update: omitted fields stay as they are; ``null`` is refused."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=partial_update_schema)

    title: Title | None = None
    description: Description | None = None
    venue: Venue | None = None
    capacity: Capacity | None = None
    starts_at: IsoDateTime | None = None
    ends_at: IsoDateTime | None = None

    @model_validator(mode="after")
    def _no_explicit_nulls(self) -> Self:
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"fields cannot be null (omit them to keep them): {nulls}")
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        return self

    def to_changes(self) -> EventChanges:
        return EventChanges(**self.model_dump(exclude_unset=True))


class RegistrationCreate(_Request):
    attendee_email: str = Field(
        max_length=MAX_EMAIL_LENGTH, pattern=EMAIL_PATTERN, examples=["ann@example.org"]
    )
    seats: Capacity = Field(default=1, examples=[2])


class EventListParams(_Request):
    """Query string of ``GET /events``; unknown parameters are refused."""

    status: EventStatus | None = None
    upcoming: bool = Field(default=False, description="Only events that have not started.")
    starts_from: IsoDateTime | None = Field(default=None, description="starts_at >= this")
    starts_before: IsoDateTime | None = Field(default=None, description="starts_at < this")
    sort: str = Field(
        default="starts_at",
        max_length=20,
        pattern=r"^-?(starts_at|ends_at|title|capacity|status)$",
        description="One key among starts_at, ends_at, title, capacity, status; '-' = desc",
        examples=["-starts_at"],
    )
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(
        default=0,
        ge=0,
        le=MAX_OFFSET,
        description=f"At most {MAX_OFFSET:,}; page further with `cursor`",
    )
    cursor: str | None = Field(
        default=None, max_length=2048, description="`next_cursor` of the previous page"
    )

    def to_query(self) -> ListEvents:
        values = self.model_dump(exclude={"sort", "cursor"})
        return ListEvents(**values, order_by=self.sort, after=self.cursor)


# The list query's own names for the parameters this API calls otherwise.
QUERY_PARAMETER_NAMES = {"order_by": "sort", "after": "cursor"}


class RegistrationOut(BaseModel):
    id: str
    event_id: str
    attendee_email: str
    seats: int
    status: RegistrationStatus
    registered_at: datetime
    cancelled_at: datetime | None

    @classmethod
    def of(cls, registration: RegistrationDetails) -> RegistrationOut:
        return cls.model_validate(registration, from_attributes=True)


class RegistrationListParams(_Request):
    """Query string of ``GET /events/{id}/registrations``; unknown parameters are refused."""

    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = Field(
        default=None, max_length=2048, description="`next_cursor` of the previous page"
    )
    sort: Literal["registered_at", "-registered_at"] = Field(
        default="registered_at", description="registered_at or -registered_at (newest first)"
    )
    status: RegistrationStatus | None = None

    def to_query(self) -> ListRegistrations:
        return ListRegistrations(**self.model_dump())


class RegistrationPage(BaseModel):
    items: list[RegistrationOut]
    limit: int | None
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page"
    )


class PriceOut(BaseModel):
    amount: str = Field(examples=["25.00"], description="Decimal text, never a float")
    currency: str = Field(examples=["EUR"])


class TicketOut(BaseModel):
    product_code: str
    price: PriceOut | None = Field(description="Null until the catalog told a price")
    on_sale: bool

    @classmethod
    def of(cls, ticket: TicketDetails) -> TicketOut:
        price = ticket.price
        return cls(
            product_code=ticket.product_code,
            price=None if price is None else PriceOut(amount=price.amount, currency=price.currency),
            on_sale=ticket.on_sale,
        )


class EventSummaryOut(BaseModel):
    id: str
    title: str
    description: str
    venue: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    status: EventStatus
    seats_taken: int
    seats_available: int
    registration_count: int = Field(description="Confirmed registrations")
    version: int

    @classmethod
    def of(cls, event: EventSummary) -> EventSummaryOut:
        return cls.model_validate(event, from_attributes=True)


class EventOut(EventSummaryOut):
    """A fixed size whatever the registrations: page them with
    ``GET /events/{id}/registrations``."""

    ticket: TicketOut | None = Field(
        description="The catalog product sold as the ticket; null for a free event"
    )

    @classmethod
    def of_details(cls, event: EventDetails) -> EventOut:
        summary = EventSummaryOut.of(event).model_dump()
        ticket = None if event.ticket is None else TicketOut.of(event.ticket)
        return cls(**summary, ticket=ticket)


class EventPage(BaseModel):
    items: list[EventSummaryOut]
    total: int | None
    limit: int | None
    offset: int
    next_cursor: str | None


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the errors a route can answer with (shared shape)."""
    descriptions = {
        400: "Malformed If-Match header",
        404: "No such event or registration",
        409: "Conflicts with the event's state: full, closed, already registered, "
        "ticket not on sale, wrong status, duplicate id, or lost a race",
        412: "If-Match does not match the current version",
        422: "Invalid input or a broken event rule",
    }
    return {status: {"description": descriptions[status]} for status in statuses}
