"""The products API over HTTP, on the selected real database."""

from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import func, select

from product_catalog.infrastructure import ProductRecord
from shared_infrastructure.database.database import AsyncDatabase


class Rows:
    """Reads the table directly (deleted rows included) to prove what a
    request left behind."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._database = database

    async def count(self) -> int:
        async with self._database.session_factory() as session:
            statement = (
                select(func.count())
                .select_from(ProductRecord)
                .execution_options(include_deleted=True)
            )
            return int(await session.scalar(statement) or 0)

    async def get(self, code: str) -> ProductRecord | None:
        async with self._database.session_factory() as session:
            statement = (
                select(ProductRecord)
                .where(ProductRecord.code == code)
                .execution_options(include_deleted=True)
            )
            return (await session.scalars(statement)).first()


@pytest.fixture
def rows(database: AsyncDatabase) -> Rows:
    return Rows(database)


NEW_PRODUCT: dict[str, Any] = {
    "code": "PROD001",
    "name": "Espresso machine",
    "description": "15 bar",
    "price": {"amount": "249.90", "currency": "EUR"},
}


async def create(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/products", json={**NEW_PRODUCT, **overrides})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def error(response: httpx.Response) -> dict[str, Any]:
    """The problem details of an error answer, type shortened to its slug."""
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "instance", "request_id"} <= set(body)
    assert body["status"] == response.status_code
    body["type"] = body["type"].removeprefix("/problems/")
    body["fields"] = [item["field"] for item in body.get("errors", [])]
    return body


# -- create -----------------------------------------------------------------------


async def test_create_returns_the_product_with_etag_and_location(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/products", json=NEW_PRODUCT)
    assert response.status_code == 201
    body = response.json()
    assert body["code"] == "PROD001"
    assert body["price"] == {"amount": "249.90", "currency": "EUR"}
    assert body["status"] == "draft"
    assert body["version"] == 1
    assert response.headers["ETag"] == '"1"'
    location = response.headers["Location"]
    assert location.endswith(f"/products/{body['id']}")
    fetched = await client.get(location)
    assert fetched.status_code == 200
    assert fetched.json() == body
    assert fetched.headers["ETag"] == '"1"'


async def test_amount_may_be_sent_as_a_json_number(client: httpx.AsyncClient) -> None:
    body = await create(client, price={"amount": 19.9, "currency": "USD"})
    assert body["price"] == {"amount": "19.90", "currency": "USD"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "prod-1"}, "code"),
        ({"code": "PROD01"}, "code"),
        ({"price": {"amount": "-0.01", "currency": "EUR"}}, "price.amount"),
        ({"price": {"amount": "1", "currency": "EURO"}}, "price.currency"),
        ({"price": {"amount": "1", "currency": "usd"}}, "price.currency"),
        ({"price": {"amount": "1.5", "currency": "JPY"}}, "price.amount"),
        ({"price": {"amount": "10000000000", "currency": "EUR"}}, "price.amount"),
        ({"name": "   "}, "name"),
    ],
)
async def test_create_breaking_a_rule_is_422_naming_the_field_and_stores_nothing(
    client: httpx.AsyncClient, rows: Rows, overrides: dict[str, Any], field: str
) -> None:
    response = await client.post("/products", json={**NEW_PRODUCT, **overrides})
    assert response.status_code == 422
    problem = error(response)
    assert problem["type"] == "validation-error"
    assert field in problem["fields"]
    assert await rows.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {**NEW_PRODUCT, "colour": "red"},
        {key: value for key, value in NEW_PRODUCT.items() if key != "price"},
        {**NEW_PRODUCT, "price": {"amount": "ten", "currency": "EUR"}},
        {**NEW_PRODUCT, "price": 10},
    ],
)
async def test_malformed_bodies_are_422(
    client: httpx.AsyncClient, rows: Rows, body: dict[str, Any]
) -> None:
    response = await client.post("/products", json=body)
    assert response.status_code == 422
    assert error(response)["type"] == "validation-error"
    assert await rows.count() == 0


async def test_a_negative_zero_price_is_zero_on_every_read(client: httpx.AsyncClient) -> None:
    product = await create(client, price={"amount": "-0.00", "currency": "EUR"})
    assert product["price"] == {"amount": "0.00", "currency": "EUR"}
    assert (await client.get(f"/products/{product['id']}")).json() == product


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "Espresso\x00machine"}, "name"),
        ({"description": "15\x00bar"}, "description"),
    ],
)
async def test_control_characters_are_422_naming_the_field(
    client: httpx.AsyncClient, rows: Rows, overrides: dict[str, Any], field: str
) -> None:
    response = await client.post("/products", json={**NEW_PRODUCT, **overrides})
    assert response.status_code == 422
    assert field in error(response)["fields"]
    assert await rows.count() == 0


async def test_duplicate_code_is_409_naming_the_field_not_the_constraint(
    client: httpx.AsyncClient, rows: Rows
) -> None:
    """The unique constraint decides (no read first, so no race either)."""
    await create(client)
    response = await client.post("/products", json={**NEW_PRODUCT, "name": "Other"})
    assert response.status_code == 409
    problem = error(response)
    assert "code" in problem["fields"]
    assert "uq_products_code" not in str(problem)
    assert await rows.count() == 1


async def test_the_code_of_a_deleted_product_stays_taken(
    client: httpx.AsyncClient, rows: Rows
) -> None:
    product = await create(client)
    assert (await client.delete(f"/products/{product['id']}")).status_code == 204
    response = await client.post("/products", json=NEW_PRODUCT)
    assert response.status_code == 409
    assert await rows.count() == 1


# -- read -------------------------------------------------------------------------


async def test_get_by_code(client: httpx.AsyncClient) -> None:
    product = await create(client)
    response = await client.get("/products/by-code/PROD001")
    assert response.status_code == 200
    assert response.json() == product
    assert response.headers["ETag"] == '"1"'


async def test_missing_products_are_404(client: httpx.AsyncClient) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    for method, path in [
        ("GET", f"/products/{missing}"),
        ("GET", "/products/by-code/PROD404"),
        ("PATCH", f"/products/{missing}"),
        ("POST", f"/products/{missing}/activate"),
        ("POST", f"/products/{missing}/discontinue"),
        ("DELETE", f"/products/{missing}"),
    ]:
        body = {"name": "Renamed"} if method == "PATCH" else None
        response = await client.request(method, path, json=body)
        assert response.status_code == 404, (method, path)
        assert error(response)["type"] == "not-found"


async def test_malformed_ids_and_codes_are_422(client: httpx.AsyncClient) -> None:
    assert (await client.get("/products/not-a-uuid")).status_code == 422
    response = await client.get("/products/by-code/not-a-code")
    assert response.status_code == 422
    assert "code" in error(response)["fields"]


async def test_if_none_match_answers_304_while_unchanged(client: httpx.AsyncClient) -> None:
    product = await create(client)
    url = f"/products/{product['id']}"
    unchanged = await client.get(url, headers={"If-None-Match": '"1"'})
    assert unchanged.status_code == 304
    assert unchanged.headers["ETag"] == '"1"'
    await client.patch(url, json={"name": "Renamed"})
    changed = await client.get(url, headers={"If-None-Match": '"1"'})
    assert changed.status_code == 200
    assert changed.json()["name"] == "Renamed"


# -- update -----------------------------------------------------------------------


async def test_patch_changes_only_what_is_sent(client: httpx.AsyncClient) -> None:
    product = await create(client)
    response = await client.patch(
        f"/products/{product['id']}",
        json={"name": "Lever machine", "price": {"amount": "299", "currency": "CHF"}},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Lever machine"
    assert body["description"] == "15 bar"
    assert body["price"] == {"amount": "299.00", "currency": "CHF"}
    assert body["version"] == 2
    assert response.headers["ETag"] == '"2"'


async def test_an_empty_patch_is_422_and_changes_nothing(client: httpx.AsyncClient) -> None:
    """As on ``PATCH /events/{id}``: a body naming no field is a client bug."""
    product = await create(client)
    response = await client.patch(f"/products/{product['id']}", json={})
    assert response.status_code == 422
    assert "nothing to change" in error(response)["detail"]
    assert (await client.get(f"/products/{product['id']}")).json() == product


@pytest.mark.parametrize(
    "body",
    [{"name": None}, {"price": None}, {"code": "PROD002"}, {"status": "active"}],
)
async def test_patch_refuses_nulls_and_fields_it_cannot_change(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    product = await create(client)
    response = await client.patch(f"/products/{product['id']}", json=body)
    assert response.status_code == 422
    assert (await client.get(f"/products/{product['id']}")).json() == product


async def test_patch_with_a_broken_rule_changes_nothing(client: httpx.AsyncClient) -> None:
    product = await create(client)
    response = await client.patch(
        f"/products/{product['id']}",
        json={"name": "Renamed", "price": {"amount": "-5", "currency": "EUR"}},
    )
    assert response.status_code == 422
    assert "price.amount" in error(response)["fields"]
    assert (await client.get(f"/products/{product['id']}")).json() == product


async def test_price_change_of_a_discontinued_product_is_409_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    product = await create(client)
    discontinued = await client.post(f"/products/{product['id']}/discontinue")
    assert discontinued.status_code == 200
    response = await client.patch(
        f"/products/{product['id']}",
        json={"name": "Renamed", "price": {"amount": "1.00", "currency": "EUR"}},
    )
    assert response.status_code == 409
    assert "price" in error(response)["fields"]
    assert (await client.get(f"/products/{product['id']}")).json() == discontinued.json()


# -- lifecycle --------------------------------------------------------------------


async def test_activate_then_discontinue(client: httpx.AsyncClient) -> None:
    product = await create(client)
    url = f"/products/{product['id']}"
    activated = await client.post(f"{url}/activate", headers={"If-Match": '"1"'})
    assert activated.status_code == 200
    assert (activated.json()["status"], activated.headers["ETag"]) == ("active", '"2"')
    discontinued = await client.post(f"{url}/discontinue", headers={"If-Match": '"2"'})
    assert discontinued.status_code == 200
    assert discontinued.json()["status"] == "discontinued"


async def test_invalid_status_transitions_are_409(client: httpx.AsyncClient) -> None:
    product = await create(client)
    url = f"/products/{product['id']}"
    await client.post(f"{url}/activate")
    again = await client.post(f"{url}/activate")
    assert again.status_code == 409
    assert "status" in error(again)["fields"]
    await client.post(f"{url}/discontinue")
    revived = await client.post(f"{url}/activate")
    assert revived.status_code == 409
    assert (await client.get(url)).json()["status"] == "discontinued"


# -- optimistic concurrency --------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {"name": "Stale"}),
        ("POST", "/activate", None),
        ("POST", "/discontinue", None),
        ("DELETE", "", None),
    ],
)
async def test_a_stale_if_match_is_412_and_changes_nothing(
    client: httpx.AsyncClient, method: str, suffix: str, body: dict[str, Any] | None
) -> None:
    product = await create(client)
    url = f"/products/{product['id']}"
    current = (await client.patch(url, json={"name": "Newer"})).json()
    response = await client.request(
        method, f"{url}{suffix}", json=body, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 412
    assert error(response)["type"] == "precondition-failed"
    assert (await client.get(url)).json() == current


async def test_if_match_star_matches_any_version(client: httpx.AsyncClient) -> None:
    product = await create(client)
    response = await client.post(f"/products/{product['id']}/activate", headers={"If-Match": "*"})
    assert response.status_code == 200


@pytest.mark.parametrize("header", ["1", '"1', "W/1", '"1" "2"', ""])
async def test_a_malformed_if_match_is_400_and_changes_nothing(
    client: httpx.AsyncClient, header: str
) -> None:
    product = await create(client)
    url = f"/products/{product['id']}"
    response = await client.patch(url, json={"name": "X"}, headers={"If-Match": header})
    assert response.status_code == 400
    assert error(response)["type"] == "bad-request"
    assert (await client.get(url)).json() == product


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ('W/"1"', 412),  # strong comparison: a weak tag never matches
        ('"one"', 412),  # a well-formed tag this API never sent
        ('"1", "2"', 200),  # a list matches when any tag matches
        ('"2", "1"', 200),
        ('"2", "3"', 412),
        ('W/"1", "1"', 200),
        ('"1",,', 200),  # empty list elements are ignored
    ],
)
async def test_if_match_lists_and_weak_tags_follow_rfc_9110(
    client: httpx.AsyncClient, header: str, status: int
) -> None:
    product = await create(client)
    url = f"/products/{product['id']}"
    response = await client.patch(url, json={"name": "X"}, headers={"If-Match": header})
    assert response.status_code == status, response.text
    if status == 412:
        assert (await client.get(url)).json() == product


async def test_if_match_on_a_missing_product_is_404(client: httpx.AsyncClient) -> None:
    response = await client.patch(
        f"/products/{uuid4()}", json={"name": "X"}, headers={"If-Match": 'W/"1"'}
    )
    assert response.status_code == 404


# -- delete -----------------------------------------------------------------------


async def test_delete_is_a_soft_delete(client: httpx.AsyncClient, rows: Rows) -> None:
    product = await create(client)
    url = f"/products/{product['id']}"
    response = await client.delete(url, headers={"If-Match": '"1"'})
    assert response.status_code == 204
    assert response.content == b""
    assert (await client.get(url)).status_code == 404
    assert (await client.get("/products/by-code/PROD001")).status_code == 404
    assert (await client.get("/products")).json()["items"] == []
    assert (await client.delete(url)).status_code == 404
    record = await rows.get("PROD001")
    assert record is not None
    assert record.deleted_at is not None
