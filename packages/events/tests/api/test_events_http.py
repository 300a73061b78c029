"""The events API end to end: HTTP -> use case -> real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

START = datetime(2030, 7, 1, 20, 0, tzinfo=UTC)
END = START + timedelta(hours=4)


def body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "ev_001",
        "title": "Jazz Festival 2025",
        "description": "Annual jazz festival",
        "venue": "Parc de la Villette",
        "starts_at": START.isoformat(),
        "ends_at": END.isoformat(),
        "capacity": 2,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not ...}


def assert_error(response: httpx.Response, status: int, error_type: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert {"type", "title", "status", "detail", "instance", "request_id"} <= set(problem)
    assert problem["type"] == f"/problems/{error_type}"
    assert problem["status"] == status
    assert problem["detail"]
    problem["fields"] = [item["field"] for item in problem.get("errors", [])]
    return dict(problem)


async def create(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/events", json=body(**overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def published(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    event = await create(client, **overrides)
    response = await client.post(f"/events/{event['id']}/publish")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def total_events(client: httpx.AsyncClient) -> int:
    return int((await client.get("/events")).json()["total"])


class TestCreateAndGet:
    async def test_create_answers_201_with_location_and_etag(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post("/events", json=body())

        assert response.status_code == 201
        assert response.headers["ETag"] == '"1"'
        assert response.headers["Location"].endswith("/events/ev_001")
        event = response.json()
        assert event["id"] == "ev_001"
        assert event["status"] == "draft"
        assert event["version"] == 1
        assert (event["seats_taken"], event["seats_available"]) == (0, 2)
        assert (event["registration_count"], event["ticket"]) == (0, None)
        assert "registrations" not in event
        assert datetime.fromisoformat(event["starts_at"]) == START

    async def test_the_id_is_generated_when_omitted(self, client: httpx.AsyncClient) -> None:
        event = await create(client, id=...)

        assert event["id"].startswith("ev_")
        assert (await client.get(f"/events/{event['id']}")).status_code == 200

    async def test_offsets_are_accepted_and_answered_in_utc(
        self, client: httpx.AsyncClient
    ) -> None:
        event = await create(
            client, starts_at="2030-07-01T22:00:00+02:00", ends_at="2030-07-02T02:00:00+02:00"
        )

        assert datetime.fromisoformat(event["starts_at"]) == START

    async def test_get_with_etag_and_conditional_get(self, client: httpx.AsyncClient) -> None:
        await create(client)

        response = await client.get("/events/ev_001")
        again = await client.get("/events/ev_001", headers={"If-None-Match": 'W/"0", "1"'})
        stale = await client.get("/events/ev_001", headers={"If-None-Match": '"0"'})

        assert response.status_code == 200
        assert response.headers["ETag"] == '"1"'
        assert again.status_code == 304
        assert stale.status_code == 200

    async def test_missing_event_is_404_in_the_shared_error_shape(
        self, client: httpx.AsyncClient
    ) -> None:
        error = assert_error(await client.get("/events/ev_nope"), 404, "not-found")

        assert "ev_nope" in error["detail"]

    @pytest.mark.parametrize("path", ["/events/a%00b", "/events/Bad%20Id", f"/events/{'a' * 65}"])
    async def test_an_id_no_event_can_have_is_422_naming_it(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        """Ids have a documented format (as product ids are UUIDs): a path
        that breaks it is invalid input, refused before any lookup."""
        await create(client)

        responses = [
            await client.get(path),
            await client.patch(path, json={"title": "x"}),
            await client.post(f"{path}/publish"),
            await client.post(f"{path}/registrations", json={"attendee_email": "a@x.org"}),
        ]
        for response in responses:
            error = assert_error(response, 422, "validation-error")
            assert [(e["location"], e["field"]) for e in error["errors"]] == [("path", "event_id")]

    async def test_the_latest_end_a_datetime_holds_is_stored_and_read_back(
        self, client: httpx.AsyncClient
    ) -> None:
        event = await create(client, ends_at="9999-12-31T23:59:59Z")

        stored = (await client.get(f"/events/{event['id']}")).json()
        assert datetime.fromisoformat(stored["ends_at"]) == datetime(
            9999, 12, 31, 23, 59, 59, tzinfo=UTC
        )

    async def test_duplicate_id_is_409_and_keeps_the_first(self, client: httpx.AsyncClient) -> None:
        await create(client)

        assert_error(await client.post("/events", json=body(title="Other")), 409, "conflict")

        assert (await client.get("/events/ev_001")).json()["title"] == "Jazz Festival 2025"

    @pytest.mark.parametrize(
        ("overrides", "error_type", "field"),
        [
            ({"capacity": 0}, "validation-error", "capacity"),
            ({"capacity": -1}, "validation-error", "capacity"),
            ({"ends_at": START.isoformat()}, "validation-error", "ends_at"),
            ({"ends_at": (START - timedelta(hours=1)).isoformat()}, "validation-error", "ends_at"),
            ({"starts_at": "2029-12-31T20:00:00+00:00"}, "validation-error", "starts_at"),
            ({"title": "  "}, "validation-error", "title"),
            ({"id": "Bad Id"}, "validation-error", "id"),
            ({"title": "a\u0000b"}, "validation-error", "title"),
            ({"description": "a\u0000b"}, "validation-error", "description"),
            ({"venue": "a\u0000b"}, "validation-error", "venue"),
            ({"starts_at": "0001-01-01T00:00:00+05:00"}, "validation-error", "starts_at"),
            ({"ends_at": "9999-12-31T23:59:59-05:00"}, "validation-error", "ends_at"),
            ({"starts_at": "2030-07-01T20:00:00"}, "validation-error", None),
            ({"starts_at": "not a date"}, "validation-error", None),
            ({"capacity": "12"}, "validation-error", None),
            ({"capacity": True}, "validation-error", None),
            ({"capacity": 1.5}, "validation-error", None),
            ({"title": ...}, "validation-error", None),
            ({"unexpected": 1}, "validation-error", None),
        ],
    )
    async def test_bad_input_is_422_and_writes_nothing(
        self,
        client: httpx.AsyncClient,
        overrides: dict[str, Any],
        error_type: str,
        field: str | None,
    ) -> None:
        error = assert_error(await client.post("/events", json=body(**overrides)), 422, error_type)

        if field is not None:
            assert field in error["fields"]
        assert await total_events(client) == 0


class TestUpdate:
    async def test_patch_with_the_current_etag(self, client: httpx.AsyncClient) -> None:
        await create(client)

        response = await client.patch(
            "/events/ev_001",
            json={"title": "Jazz Night", "capacity": 10, "starts_at": "2030-07-01T21:00:00Z"},
            headers={"If-Match": '"1"'},
        )

        assert response.status_code == 200, response.text
        assert response.headers["ETag"] == '"2"'
        event = response.json()
        assert (event["title"], event["capacity"], event["version"]) == ("Jazz Night", 10, 2)
        assert datetime.fromisoformat(event["starts_at"]) == START + timedelta(hours=1)
        assert datetime.fromisoformat(event["ends_at"]) == END

    async def test_a_stale_etag_is_412_and_changes_nothing(self, client: httpx.AsyncClient) -> None:
        await create(client)
        await client.patch("/events/ev_001", json={"title": "v2"}, headers={"If-Match": '"1"'})

        stale = await client.patch(
            "/events/ev_001", json={"title": "v3"}, headers={"If-Match": '"1"'}
        )

        assert_error(stale, 412, "precondition-failed")
        current = (await client.get("/events/ev_001")).json()
        assert (current["title"], current["version"]) == ("v2", 2)

    @pytest.mark.parametrize("if_match", ["*", None])
    async def test_star_or_no_if_match_means_no_check(
        self, client: httpx.AsyncClient, if_match: str | None
    ) -> None:
        await create(client)
        headers = {"If-Match": if_match} if if_match is not None else {}

        response = await client.patch("/events/ev_001", json={"venue": "Olympia"}, headers=headers)

        assert response.status_code == 200, response.text

    @pytest.mark.parametrize("if_match", ["version-1", "1", '"1" "2"'])
    async def test_a_malformed_if_match_is_400_and_changes_nothing(
        self, client: httpx.AsyncClient, if_match: str
    ) -> None:
        await create(client)

        response = await client.patch(
            "/events/ev_001", json={"venue": "Olympia"}, headers={"If-Match": if_match}
        )

        assert_error(response, 400, "bad-request")
        assert (await client.get("/events/ev_001")).json()["venue"] == "Parc de la Villette"

    @pytest.mark.parametrize(
        ("if_match", "status"), [('W/"1"', 412), ('"1", "2"', 200), ('"2", "3"', 412)]
    )
    async def test_weak_tags_never_match_and_lists_match_any_tag(
        self, client: httpx.AsyncClient, if_match: str, status: int
    ) -> None:
        await create(client)

        response = await client.patch(
            "/events/ev_001", json={"venue": "Olympia"}, headers={"If-Match": if_match}
        )

        assert response.status_code == status, response.text

    @pytest.mark.parametrize(
        ("patch", "error_type"),
        [
            ({}, "validation-error"),
            ({"title": None}, "validation-error"),
            ({"status": "published"}, "validation-error"),
            ({"capacity": 0}, "validation-error"),
            ({"ends_at": "2030-07-01T19:00:00Z"}, "validation-error"),
            ({"starts_at": "2030-07-01T20:00:00"}, "validation-error"),
            ({"title": "ok", "ends_at": "2030-07-01T19:00:00Z"}, "validation-error"),
        ],
    )
    async def test_bad_patches_are_422_and_change_nothing(
        self, client: httpx.AsyncClient, patch: dict[str, Any], error_type: str
    ) -> None:
        await create(client)

        assert_error(await client.patch("/events/ev_001", json=patch), 422, error_type)

        current = (await client.get("/events/ev_001")).json()
        assert (current["title"], current["version"]) == ("Jazz Festival 2025", 1)

    async def test_capacity_cannot_drop_below_seats_taken(self, client: httpx.AsyncClient) -> None:
        await published(client, capacity=3)
        await client.post(
            "/events/ev_001/registrations", json={"attendee_email": "a@x.org", "seats": 2}
        )

        assert_error(await client.patch("/events/ev_001", json={"capacity": 1}), 409, "conflict")

    async def test_patch_missing_event_is_404(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.patch("/events/nope", json={"title": "x"}), 404, "not-found")


class TestLifecycle:
    async def test_publish_then_cancel_with_etags(self, client: httpx.AsyncClient) -> None:
        await create(client)

        publish = await client.post("/events/ev_001/publish", headers={"If-Match": '"1"'})
        stale_cancel = await client.post("/events/ev_001/cancel", headers={"If-Match": '"1"'})
        cancel = await client.post("/events/ev_001/cancel", headers={"If-Match": '"2"'})

        assert (publish.status_code, publish.json()["status"]) == (200, "published")
        assert publish.headers["ETag"] == '"2"'
        assert_error(stale_cancel, 412, "precondition-failed")
        assert (cancel.status_code, cancel.json()["status"]) == (200, "cancelled")

    async def test_wrong_state_transitions_are_409(self, client: httpx.AsyncClient) -> None:
        await published(client)

        assert_error(await client.post("/events/ev_001/publish"), 409, "conflict")
        await client.post("/events/ev_001/cancel")
        assert_error(await client.post("/events/ev_001/cancel"), 409, "conflict")
        assert_error(await client.patch("/events/ev_001", json={"title": "x"}), 409, "conflict")

    async def test_cancelling_cancels_the_registrations(self, client: httpx.AsyncClient) -> None:
        await published(client)
        await client.post("/events/ev_001/registrations", json={"attendee_email": "a@x.org"})

        event = (await client.post("/events/ev_001/cancel")).json()
        registrations = (await client.get("/events/ev_001/registrations")).json()["items"]

        assert (event["seats_taken"], event["registration_count"]) == (0, 0)
        assert [r["status"] for r in registrations] == ["cancelled"]
        assert registrations[0]["cancelled_at"] is not None


class TestRegistrations:
    async def test_register_answers_201_and_shows_on_the_event(
        self, client: httpx.AsyncClient
    ) -> None:
        await published(client, capacity=3)

        response = await client.post(
            "/events/ev_001/registrations", json={"attendee_email": "Ann@Example.org", "seats": 2}
        )

        assert response.status_code == 201, response.text
        registration = response.json()
        assert registration["attendee_email"] == "ann@example.org"
        assert (registration["seats"], registration["status"]) == (2, "confirmed")
        event = (await client.get("/events/ev_001")).json()
        assert (event["seats_taken"], event["seats_available"], event["version"]) == (2, 1, 3)
        assert event["registration_count"] == 1
        listed = (await client.get("/events/ev_001/registrations")).json()["items"]
        assert [r["id"] for r in listed] == [registration["id"]]

    @pytest.mark.parametrize(
        ("setup", "payload", "status", "error_type"),
        [
            ("draft", {"attendee_email": "a@x.org"}, 409, "conflict"),
            ("cancelled", {"attendee_email": "a@x.org"}, 409, "conflict"),
            ("published", {"attendee_email": "taken@x.org"}, 409, "conflict"),
            ("published", {"attendee_email": "TAKEN@x.org"}, 409, "conflict"),
            ("published", {"attendee_email": "b@x.org", "seats": 2}, 409, "conflict"),
            ("published", {"attendee_email": "b@x.org", "seats": 0}, 422, "validation-error"),
            ("published", {"attendee_email": "not-an-email"}, 422, "validation-error"),
            ("published", {"attendee_email": "a\u0000b@x.org"}, 422, "validation-error"),
            ("published", {"attendee_email": "b@x.org", "seats": "1"}, 422, "validation-error"),
            ("published", {"email": "b@x.org"}, 422, "validation-error"),
        ],
    )
    async def test_refusals_are_4xx_and_write_nothing(
        self,
        client: httpx.AsyncClient,
        setup: str,
        payload: dict[str, Any],
        status: int,
        error_type: str,
    ) -> None:
        await create(client, capacity=2)
        if setup != "draft":
            await client.post("/events/ev_001/publish")
        if setup == "published":
            await client.post(
                "/events/ev_001/registrations", json={"attendee_email": "taken@x.org"}
            )
        if setup == "cancelled":
            await client.post("/events/ev_001/cancel")
        before = (await client.get("/events/ev_001")).json()

        response = await client.post("/events/ev_001/registrations", json=payload)

        assert_error(response, status, error_type)
        assert (await client.get("/events/ev_001")).json() == before

    async def test_registration_closes_at_the_start(
        self, client: httpx.AsyncClient, clock: Any
    ) -> None:
        await published(client)
        clock.now = START

        response = await client.post(
            "/events/ev_001/registrations", json={"attendee_email": "a@x.org"}
        )

        assert_error(response, 409, "conflict")

    async def test_register_on_a_missing_event_is_404(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/events/nope/registrations", json={"attendee_email": "a@x.org"}
        )

        assert_error(response, 404, "not-found")

    async def test_cancel_a_registration_frees_the_seats(self, client: httpx.AsyncClient) -> None:
        await published(client, capacity=1)
        registration = (
            await client.post("/events/ev_001/registrations", json={"attendee_email": "a@x.org"})
        ).json()

        deleted = await client.delete(f"/events/ev_001/registrations/{registration['id']}")
        again = await client.delete(f"/events/ev_001/registrations/{registration['id']}")
        replacement = await client.post(
            "/events/ev_001/registrations", json={"attendee_email": "b@x.org"}
        )

        assert deleted.status_code == 204
        assert deleted.content == b""
        assert_error(again, 404, "not-found")
        assert replacement.status_code == 201

    async def test_cancel_registration_on_a_missing_event_is_404(
        self, client: httpx.AsyncClient
    ) -> None:
        assert_error(await client.delete("/events/nope/registrations/reg_x"), 404, "not-found")


class TestList:
    @pytest.fixture
    async def catalogue(self, client: httpx.AsyncClient) -> None:
        for day, event_id in enumerate(["ev_a", "ev_b", "ev_c", "ev_d"]):
            await create(
                client,
                id=event_id,
                title=f"Event {event_id}",
                starts_at=(START + timedelta(days=day)).isoformat(),
                ends_at=(END + timedelta(days=day)).isoformat(),
            )
        for event_id in ("ev_a", "ev_c", "ev_d"):
            await client.post(f"/events/{event_id}/publish")
        await client.post("/events/ev_d/cancel")

    @pytest.mark.usefixtures("catalogue")
    async def test_by_status(self, client: httpx.AsyncClient) -> None:
        page = (await client.get("/events", params={"status": "published"})).json()

        assert [e["id"] for e in page["items"]] == ["ev_a", "ev_c"]
        assert page["total"] == 2
        assert "registrations" not in page["items"][0]

    @pytest.mark.usefixtures("catalogue")
    async def test_upcoming_and_date_range(self, client: httpx.AsyncClient, clock: Any) -> None:
        clock.now = START + timedelta(days=1, minutes=1)

        upcoming = (await client.get("/events", params={"upcoming": "true"})).json()
        ranged = (
            await client.get(
                "/events",
                params={
                    "starts_from": (START + timedelta(days=1)).isoformat(),
                    "starts_before": (START + timedelta(days=3)).isoformat(),
                },
            )
        ).json()

        assert [e["id"] for e in upcoming["items"]] == ["ev_c", "ev_d"]
        assert [e["id"] for e in ranged["items"]] == ["ev_b", "ev_c"]

    @pytest.mark.usefixtures("catalogue")
    async def test_pages_by_offset_and_by_cursor(self, client: httpx.AsyncClient) -> None:
        first = (await client.get("/events", params={"limit": 3, "sort": "-starts_at"})).json()
        second = (
            await client.get("/events", params={"limit": 3, "sort": "-starts_at", "offset": 3})
        ).json()
        by_cursor = (
            await client.get(
                "/events",
                params={"limit": 3, "sort": "-starts_at", "cursor": first["next_cursor"]},
            )
        ).json()

        assert [e["id"] for e in first["items"]] == ["ev_d", "ev_c", "ev_b"]
        assert (first["total"], first["limit"], first["offset"]) == (4, 3, 0)
        assert [e["id"] for e in second["items"]] == ["ev_a"]
        assert [e["id"] for e in by_cursor["items"]] == ["ev_a"]
        assert by_cursor["next_cursor"] is None

    @pytest.mark.parametrize(
        ("params", "error_type"),
        [
            ({"colour": "red"}, "validation-error"),
            ({"status": "archived"}, "validation-error"),
            ({"limit": 0}, "validation-error"),
            ({"limit": 101}, "validation-error"),
            ({"offset": -1}, "validation-error"),
            ({"starts_from": "2030-07-01T20:00:00"}, "validation-error"),
            ({"sort": "password"}, "validation-error"),
            ({"cursor": "garbage!"}, "validation-error"),
            (
                {"starts_from": END.isoformat(), "starts_before": START.isoformat()},
                "validation-error",
            ),
        ],
    )
    async def test_bad_queries_are_422(
        self, client: httpx.AsyncClient, params: dict[str, Any], error_type: str
    ) -> None:
        assert_error(await client.get("/events", params=params), 422, error_type)

    @pytest.mark.parametrize(
        ("params", "error_type", "field"),
        [
            ({"cursor": "garbage"}, "validation-error", "cursor"),
            ({"starts_before": "9999-12-31T23:59:59-05:00"}, "validation-error", "starts_before"),
            ({"starts_from": "0001-01-01T00:00:00+05:00"}, "validation-error", "starts_from"),
            ({"offset": "99999999999999999999"}, "validation-error", "offset"),
            ({"offset": str(2**63)}, "validation-error", "offset"),
            ({"offset": "1000001"}, "validation-error", "offset"),
        ],
    )
    async def test_a_bad_query_is_422_naming_the_parameter(
        self, client: httpx.AsyncClient, params: dict[str, Any], error_type: str, field: str
    ) -> None:
        error = assert_error(await client.get("/events", params=params), 422, error_type)

        assert [(e["location"], e["field"]) for e in error["errors"]] == [("query", field)]

    @pytest.mark.usefixtures("catalogue")
    async def test_the_deepest_offset_allowed_is_an_empty_page(
        self, client: httpx.AsyncClient
    ) -> None:
        page = (await client.get("/events", params={"offset": 1_000_000})).json()

        assert (page["items"], page["total"], page["offset"]) == ([], 4, 1_000_000)


async def test_openapi_lists_every_route_with_its_methods(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    methods = {path: set(item) for path, item in schema["paths"].items()}
    assert methods == {
        "/events": {"get", "post"},
        "/events/{event_id}": {"get", "patch"},
        "/events/{event_id}/publish": {"post"},
        "/events/{event_id}/cancel": {"post"},
        "/events/{event_id}/registrations": {"get", "post"},
        "/events/{event_id}/registrations/{registration_id}": {"delete"},
    }
    patch = schema["paths"]["/events/{event_id}"]["patch"]
    assert {p["name"] for p in patch["parameters"]} >= {"event_id", "If-Match"}
    assert {"400", "404", "409", "412", "422"} <= set(patch["responses"])
