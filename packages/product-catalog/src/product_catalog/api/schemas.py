"""Request and response bodies of the products API.

Schemas check shape and type only; the catalog's rules (code format, ISO
currency, no negative price...) are the domain's, so they are stated once
and answer with the same error shape whatever the entry point.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue, WithJsonSchema, model_validator

from product_catalog.application import MAX_LIMIT, MAX_OFFSET, ProductPage, ProductView
from product_catalog.domain import (
    DESCRIPTION_MAX_LENGTH,
    MINOR_UNITS,
    NAME_MAX_LENGTH,
    PRICE_MAX,
    ProductStatus,
)
from shared_infrastructure.web.openapi import partial_update_schema

CODE_PATTERN = r"^[A-Z]{2,10}[0-9]{3,10}$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
_SORT_KEY = r"-?(code|name|price|status)"
SORT_PATTERN = rf"^{_SORT_KEY}(,{_SORT_KEY})*$"
# No control characters (the domain refuses them); a name is not blank.
NAME_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
DESCRIPTION_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
_STEPS = {0: 1, 1: 0.1, 2: 0.01}
_AMOUNT_PATTERNS = {
    0: r"^[0-9]{1,10}$",
    1: r"^[0-9]{1,10}(\.[0-9])?$",
    2: r"^[0-9]{1,10}(\.[0-9]{1,2})?$",
}


def _places(currency: str) -> int:
    units = MINOR_UNITS[currency]
    return 2 if units is None else min(units, 2)


def _price_schema() -> dict[str, Any]:
    """Amount and currency as JSON Schema can state them: the currency one
    of ISO 4217, the amount a decimal string with no more places than the
    currency has (and at most 2)."""
    by_places: dict[int, list[str]] = {0: [], 1: [], 2: []}
    for currency in sorted(MINOR_UNITS):
        by_places[_places(currency)].append(currency)
    return {
        "allOf": [
            {
                "if": {"properties": {"currency": {"enum": currencies}}},
                "then": {
                    "properties": {
                        "amount": {
                            "pattern": _AMOUNT_PATTERNS[places],
                            "multipleOf": _STEPS[places],
                        }
                    }
                },
            }
            for places, currencies in by_places.items()
            if places < 2 and currencies
        ]
    }


Amount = Annotated[
    Decimal,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": _AMOUNT_PATTERNS[2]},
                {"type": "number", "minimum": 0, "maximum": 9999999999.99, "multipleOf": 0.01},
            ],
            "description": "A decimal string (exact); a JSON number is accepted too",
            "examples": ["19.99"],
        },
        mode="validation",
    ),
]
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX_LENGTH, pattern=NAME_PATTERN)]
Description = Annotated[str, Field(max_length=DESCRIPTION_MAX_LENGTH, pattern=DESCRIPTION_PATTERN)]
PriceBound = Annotated[
    Decimal | None,
    Field(ge=0, le=PRICE_MAX, decimal_places=2, allow_inf_nan=False),
    WithJsonSchema({"type": "string", "pattern": _AMOUNT_PATTERNS[2]}, mode="validation"),
]


class Price(BaseModel):
    """Money as an exact decimal; responses send the amount as a string so
    no client parses it into a binary float by accident."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_price_schema())

    amount: Amount = Field(
        ge=0,
        le=PRICE_MAX,
        decimal_places=2,
        allow_inf_nan=False,
        description="At most 2 decimal places, and no more than the currency's minor units",
        examples=["19.99"],
    )
    currency: str = Field(
        pattern=CURRENCY_PATTERN,
        json_schema_extra={"enum": list[JsonValue](sorted(MINOR_UNITS))},
        description="ISO 4217 code",
        examples=["EUR"],
    )


class ProductCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        pattern=CODE_PATTERN,
        description="2-10 capital letters then 3-10 digits; unique, never reused",
        examples=["PROD001"],
    )
    name: Name = Field(examples=["Espresso machine"])
    description: Description = ""
    price: Price


class ProductUpdate(BaseModel):
    """Fields left out keep their value; ``code`` and ``status`` cannot be
    set here (status changes through activate/discontinue)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=partial_update_schema)

    name: Name | None = None
    description: Description | None = None
    price: Price | None = None

    @model_validator(mode="after")
    def _no_explicit_nulls(self) -> Self:
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null; leave a field out to keep it")
        return self


class ProductResponse(BaseModel):
    id: UUID
    code: str
    name: str
    description: str
    price: Price
    status: ProductStatus
    version: int = Field(description="Bumped by every change; also sent as the ETag")

    @classmethod
    def of(cls, view: ProductView) -> ProductResponse:
        return cls(
            id=view.id,
            code=view.code,
            name=view.name,
            description=view.description,
            price=Price(amount=view.price_amount, currency=view.price_currency),
            status=ProductStatus(view.status),
            version=view.version,
        )


class ProductPageResponse(BaseModel):
    items: list[ProductResponse]
    total: int | None = Field(description="Matching products, all pages together")
    limit: int | None
    offset: int
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page"
    )

    @classmethod
    def of(cls, page: ProductPage) -> ProductPageResponse:
        return cls(
            items=[ProductResponse.of(view) for view in page.items],
            total=page.total,
            limit=page.limit,
            offset=page.offset,
            next_cursor=page.next_cursor,
        )


class ProductListParams(BaseModel):
    """Query string of ``GET /products``; unknown parameters are refused
    (a typo such as ``stauts=active`` must not silently list everything)."""

    model_config = ConfigDict(extra="forbid")

    status: list[ProductStatus] = Field(
        default_factory=list, description="Repeat to match any of several statuses"
    )
    name: str | None = Field(
        None,
        max_length=200,
        pattern=r"^[^\x00-\x1f\x7f-\x9f]*$",
        description="Case-insensitive substring of the name (no control characters)",
    )
    min_price: PriceBound = Field(None, description="Inclusive lower bound of the amount")
    max_price: PriceBound = Field(None, description="Inclusive upper bound of the amount")
    currency: str | None = Field(
        None,
        pattern=CURRENCY_PATTERN,
        json_schema_extra={"enum": list[JsonValue](sorted(MINOR_UNITS))},
        description="ISO 4217 code the price must be in",
    )
    sort: str = Field(
        "code",
        max_length=100,
        pattern=SORT_PATTERN,
        description="Comma-separated keys among code, name, price, status; '-' for descending",
        examples=["-price,name"],
    )
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(
        0,
        ge=0,
        le=MAX_OFFSET,
        description=f"At most {MAX_OFFSET:,}; page further with `cursor`",
    )
    cursor: str | None = Field(
        None, max_length=2048, description="`next_cursor` of the previous page"
    )

    def sort_keys(self) -> list[str]:
        return [key.strip() for key in self.sort.split(",") if key.strip()]


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the errors a route can answer with."""
    descriptions = {
        400: "Malformed If-Match header",
        404: "No such product",
        409: "Conflicts with the current state (duplicate code, wrong status)",
        412: "If-Match does not match the current version",
        422: "Invalid input or a broken catalog rule",
    }
    return {status: {"description": descriptions[status]} for status in statuses}
