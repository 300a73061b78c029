"""HTTP endpoints of the events context.

The router only translates HTTP to use cases and back. Domain and
persistence errors propagate unchanged; the application's exception
handlers (``shared_infrastructure.web``) turn them into 404/409/412/422/503
with one error shape, so every context answers alike.

No ``from __future__ import annotations`` here: FastAPI must evaluate the
route signatures, which use the ``Service`` alias local to the factory.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status

from events.api.schemas import (
    ID_PATTERN,
    QUERY_PARAMETER_NAMES,
    EventCreate,
    EventListParams,
    EventOut,
    EventPage,
    EventSummaryOut,
    EventUpdate,
    RegistrationCreate,
    RegistrationListParams,
    RegistrationOut,
    RegistrationPage,
    error_responses,
)
from events.application import EventDetails, EventService
from events.domain.identifiers import MAX_ID_LENGTH
from shared_infrastructure.domain import InvalidQuery
from shared_infrastructure.web.etag import IfMatch, etag, if_match, matches_if_none_match

EventIdPath = Annotated[str, Path(max_length=MAX_ID_LENGTH, pattern=ID_PATTERN)]
RegistrationIdPath = Annotated[str, Path(max_length=MAX_ID_LENGTH, pattern=ID_PATTERN)]
ServiceDependency = Callable[..., Any]
"""A FastAPI dependency (function, async function or generator) giving an
``EventService``; how it reaches the database is the composition root's business."""

IfMatchCondition = Annotated[IfMatch, Depends(if_match)]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match", max_length=1024)]


def create_router(service_dependency: ServiceDependency) -> APIRouter:
    """The ``/events`` routes, bound to the given service dependency."""
    router = APIRouter(prefix="/events", tags=["events"])
    Service = Annotated[EventService, Depends(service_dependency)]

    async def expected_version(
        event_id: EventIdPath, service: Service, condition: IfMatchCondition
    ) -> int | None:
        async def current() -> int:
            return (await service.get_event(event_id)).version

        return await condition.expected_version(current)

    ExpectedVersion = Annotated[int | None, Depends(expected_version)]

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        response_model=EventOut,
        name="events.create",
        summary="Create a draft event",
        responses=error_responses(409, 422),
    )
    async def create_event(
        body: EventCreate, service: Service, request: Request, response: Response
    ) -> EventOut:
        event = await service.create_event(body.to_command())
        response.headers["Location"] = str(request.url_for("events.get", event_id=event.id))
        return _versioned(event, response)

    @router.get(
        "",
        response_model=EventPage,
        name="events.list",
        summary="List events (upcoming, by status, by date range), paginated",
        responses=error_responses(422),
    )
    async def list_events(
        params: Annotated[EventListParams, Query()], service: Service
    ) -> EventPage:
        try:
            page = await service.list_events(params.to_query())
        except InvalidQuery as error:
            if error.field not in QUERY_PARAMETER_NAMES:
                raise
            raise InvalidQuery(error.message, field=QUERY_PARAMETER_NAMES[error.field]) from error
        return EventPage(
            items=[EventSummaryOut.of(item) for item in page.items],
            total=page.total,
            limit=page.limit,
            offset=page.offset,
            next_cursor=page.next_cursor,
        )

    @router.get(
        "/{event_id}",
        response_model=EventOut,
        name="events.get",
        summary="One event with its seat counts and ticket",
        responses={
            **error_responses(404),
            304: {
                "description": "If-None-Match names the current version "
                "(events without a ticket product only)"
            },
        },
    )
    async def get_event(
        event_id: EventIdPath,
        service: Service,
        response: Response,
        if_none_match: IfNoneMatch = None,
    ) -> Any:
        event = await service.get_event(event_id)
        # The ticket follows the catalog without changing the event's
        # version, so only an event without one can be "not modified".
        if event.ticket is None and matches_if_none_match(if_none_match, event.version):
            return Response(
                status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag(event.version)}
            )
        return _versioned(event, response)

    @router.patch(
        "/{event_id}",
        response_model=EventOut,
        name="events.update",
        summary="Change details, capacity and/or schedule (all or nothing)",
        responses=error_responses(400, 404, 409, 412, 422),
    )
    async def update_event(
        event_id: EventIdPath,
        body: EventUpdate,
        service: Service,
        version: ExpectedVersion,
        response: Response,
    ) -> EventOut:
        event = await service.update_event(event_id, body.to_changes(), expected_version=version)
        return _versioned(event, response)

    @router.post(
        "/{event_id}/publish",
        response_model=EventOut,
        name="events.publish",
        summary="Open a draft for registration",
        responses=error_responses(400, 404, 409, 412),
    )
    async def publish_event(
        event_id: EventIdPath, service: Service, version: ExpectedVersion, response: Response
    ) -> EventOut:
        return _versioned(await service.publish(event_id, expected_version=version), response)

    @router.post(
        "/{event_id}/cancel",
        response_model=EventOut,
        name="events.cancel",
        summary="Cancel the event and all its registrations",
        responses=error_responses(400, 404, 409, 412),
    )
    async def cancel_event(
        event_id: EventIdPath, service: Service, version: ExpectedVersion, response: Response
    ) -> EventOut:
        return _versioned(await service.cancel(event_id, expected_version=version), response)

    @router.post(
        "/{event_id}/registrations",
        status_code=status.HTTP_201_CREATED,
        response_model=RegistrationOut,
        name="events.register",
        summary="Register an attendee",
        responses=error_responses(404, 409, 422),
    )
    async def register_attendee(
        event_id: EventIdPath, body: RegistrationCreate, service: Service
    ) -> RegistrationOut:
        registration = await service.register_attendee(event_id, body.attendee_email, body.seats)
        return RegistrationOut.of(registration)

    @router.get(
        "/{event_id}/registrations",
        response_model=RegistrationPage,
        name="events.registrations",
        summary="The event's registrations, oldest first, a page at a time",
        responses=error_responses(404, 422),
    )
    async def list_registrations(
        event_id: str, params: Annotated[RegistrationListParams, Query()], service: Service
    ) -> RegistrationPage:
        try:
            page = await service.list_registrations(event_id, params.to_query())
        except InvalidQuery as error:
            if error.field != "after":  # the query spec's name for this API's cursor
                raise
            raise InvalidQuery(error.message, field="cursor") from error
        return RegistrationPage(
            items=[RegistrationOut.of(item) for item in page.items],
            limit=page.limit,
            next_cursor=page.next_cursor,
        )

    @router.delete(
        "/{event_id}/registrations/{registration_id}",
        status_code=status.HTTP_204_NO_CONTENT,
        response_class=Response,
        name="events.cancel_registration",
        summary="Cancel one registration and free its seats",
        responses=error_responses(404, 409),
    )
    async def cancel_registration(
        event_id: EventIdPath, registration_id: RegistrationIdPath, service: Service
    ) -> Response:
        await service.cancel_registration(event_id, registration_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router


def _versioned(event: EventDetails, response: Response) -> EventOut:
    response.headers["ETag"] = etag(event.version)
    return EventOut.of_details(event)
