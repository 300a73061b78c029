"""GET /products: filters, search, sorting and pagination over HTTP."""

from typing import Any

import httpx
import pytest

PRODUCTS = [
    ("PROD001", "Blue widget", "10.00", "EUR"),
    ("PROD002", "Red widget", "20.00", "EUR"),
    ("PROD003", "Gadget 100%", "30.00", "EUR"),
    ("PROD004", "Gadget_mini", "5.00", "USD"),
    ("PROD005", "Green WIDGET", "15.00", "EUR"),
]


@pytest.fixture
async def listed(client: httpx.AsyncClient) -> httpx.AsyncClient:
    ids = {}
    for code, name, amount, currency in PRODUCTS:
        response = await client.post(
            "/products",
            json={"code": code, "name": name, "price": {"amount": amount, "currency": currency}},
        )
        assert response.status_code == 201
        ids[code] = response.json()["id"]
    await client.post(f"/products/{ids['PROD002']}/activate")
    await client.post(f"/products/{ids['PROD003']}/discontinue")
    return client


async def codes(client: httpx.AsyncClient, params: Any) -> list[str]:
    response = await client.get("/products", params=params)
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json()["items"]]


async def test_default_page(listed: httpx.AsyncClient) -> None:
    body = (await listed.get("/products")).json()
    assert [item["code"] for item in body["items"]] == [p[0] for p in PRODUCTS]
    assert (body["total"], body["limit"], body["offset"], body["next_cursor"]) == (5, 20, 0, None)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "draft"}, ["PROD001", "PROD004", "PROD005"]),
        ([("status", "active"), ("status", "discontinued")], ["PROD002", "PROD003"]),
        ({"name": "widget"}, ["PROD001", "PROD002", "PROD005"]),
        ({"name": "%"}, ["PROD003"]),
        ({"name": "_"}, ["PROD004"]),
        ({"min_price": "10", "max_price": "20"}, ["PROD001", "PROD002", "PROD005"]),
        ({"min_price": "10", "currency": "USD"}, []),
        ({"currency": "USD"}, ["PROD004"]),
        ({"sort": "-price"}, ["PROD003", "PROD002", "PROD005", "PROD001", "PROD004"]),
        ({"sort": "name", "name": "widget"}, ["PROD001", "PROD005", "PROD002"]),
        ({"sort": "status,-code"}, ["PROD002", "PROD003", "PROD005", "PROD004", "PROD001"]),
    ],
)
async def test_filters_search_and_sorting(
    listed: httpx.AsyncClient, params: Any, expected: list[str]
) -> None:
    assert await codes(listed, params) == expected


async def test_offset_pagination(listed: httpx.AsyncClient) -> None:
    body = (await listed.get("/products", params={"limit": 2, "offset": 2})).json()
    assert [item["code"] for item in body["items"]] == ["PROD003", "PROD004"]
    assert (body["total"], body["limit"], body["offset"]) == (5, 2, 2)


async def test_cursor_pagination_visits_every_product_once(listed: httpx.AsyncClient) -> None:
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2, "sort": "-price"}
    while True:
        body = (await listed.get("/products", params=params)).json()
        seen.extend(item["code"] for item in body["items"])
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert seen == ["PROD003", "PROD002", "PROD005", "PROD001", "PROD004"]


@pytest.mark.parametrize(
    "params",
    [
        {"stauts": "active"},
        {"price": "10"},
        {"status": "sold"},
        {"sort": "colour"},
        {"limit": 0},
        {"limit": 101},
        {"offset": -1},
        {"min_price": "ten"},
        {"min_price": "20", "max_price": "10"},
        {"cursor": "not-a-cursor!"},
    ],
)
async def test_bad_query_parameters_are_422(listed: httpx.AsyncClient, params: Any) -> None:
    response = await listed.get("/products", params=params)
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/validation-error"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "garbage"}, "cursor"),
        ({"cursor": "not-a-cursor!"}, "cursor"),
        ({"currency": "zz"}, "currency"),
        ({"currency": "usd"}, "currency"),
        ({"name": "\x00"}, "name"),
        ({"name": "a\x00b"}, "name"),
    ],
)
async def test_a_bad_parameter_is_422_naming_it_as_the_api_does(
    listed: httpx.AsyncClient, params: Any, field: str
) -> None:
    response = await listed.get("/products", params=params)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert response.json()["errors"][0]["location"] == "query"


@pytest.mark.parametrize("offset", ["1000001", "99999999999999999999", str(2**63)])
async def test_an_offset_beyond_the_documented_maximum_is_422_naming_it(
    listed: httpx.AsyncClient, offset: str
) -> None:
    response = await listed.get("/products", params={"offset": offset})
    assert response.status_code == 422, response.text
    problems = response.json()["errors"]
    assert [(problem["location"], problem["field"]) for problem in problems] == [
        ("query", "offset")
    ]


async def test_the_deepest_offset_allowed_is_an_empty_page(listed: httpx.AsyncClient) -> None:
    body = (await listed.get("/products", params={"offset": 1_000_000})).json()
    assert (body["items"], body["total"], body["offset"]) == ([], 5, 1_000_000)
