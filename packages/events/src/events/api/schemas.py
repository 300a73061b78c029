"""Request and response bodies of the events API (pydantic lives only here).

Requests check types and shape (aware datetimes, no unknown fields); the
business rules (end after start, capacity, email...) stay in the domain so
there is one source of truth, and its errors reach the client as 4xx too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from events.application import (
    DEFAULT_PAGE_SIZE,
    MAX_OFFSET,
    MAX_PAGE_SIZE,
    CreateEvent,
    EventChanges,
    EventDetails,
    EventSummary,
    ListEvents,
    RegistrationDetails,
)
from events.domain import EventStatus, RegistrationStatus

WholeNumber = Annotated[int, Field(strict=True)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventCreate(_Request):
    id: str | None = Field(
        default=None,
        description="Slug such as `ev_001`; generated when omitted.",
        examples=["ev_001"],
    )
    title: str = Field(examples=["Jazz Festival 2025"])
    description: str = Field(default="", examples=["Annual jazz festival"])
    venue: str = Field(default="", examples=["Parc de la Villette, Paris"])
    starts_at: AwareDatetime = Field(examples=["2030-07-01T20:00:00+02:00"])
    ends_at: AwareDatetime = Field(examples=["2030-07-02T01:00:00+02:00"])
    capacity: WholeNumber = Field(description="Seats on offer, at least 1.", examples=[500])

    def to_command(self) -> CreateEvent:
        return CreateEvent(**self.model_dump())


class EventUpdate(_Request):
    """Partial update: omitted fields stay as they are; ``null`` is refused."""

    title: str | None = None
    description: str | None = None
    venue: str | None = None
    capacity: WholeNumber | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None

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
    attendee_email: str = Field(examples=["ann@example.org"])
    seats: WholeNumber = Field(default=1, examples=[2])


class EventListParams(_Request):
    """Query string of ``GET /events``; unknown parameters are refused."""

    status: EventStatus | None = None
    upcoming: bool = Field(default=False, description="Only events that have not started.")
    starts_from: AwareDatetime | None = Field(default=None, description="starts_at >= this")
    starts_before: AwareDatetime | None = Field(default=None, description="starts_at < this")
    sort: str = Field(
        default="starts_at",
        max_length=20,
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
    version: int

    @classmethod
    def of(cls, event: EventSummary) -> EventSummaryOut:
        return cls.model_validate(event, from_attributes=True)


class EventOut(EventSummaryOut):
    registrations: list[RegistrationOut]

    @classmethod
    def of_details(cls, event: EventDetails) -> EventOut:
        return cls.model_validate(event, from_attributes=True)


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
        "wrong status, duplicate id, or lost a race",
        412: "If-Match does not match the current version",
        422: "Invalid input or a broken event rule",
    }
    return {status: {"description": descriptions[status]} for status in statuses}
