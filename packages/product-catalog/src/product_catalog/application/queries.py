"""Listing criteria in the catalog's words, turned into a ``QuerySpec``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from product_catalog.domain import ProductStatus, has_control_characters, is_currency_code
from shared_infrastructure.domain import Filter, InvalidQuery, Op, Ordering, QuerySpec

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Offsets are sent to the database as 64-bit integers; a bigger one made the
# driver overflow (a 500). Paging this deep by offset makes the database skip
# a million rows per request anyway: use the cursor instead.
MAX_OFFSET = 1_000_000

# Public sort keys -> domain fields; a leading "-" sorts descending.
SORT_FIELDS: dict[str, str] = {
    "code": "code",
    "name": "name",
    "price": "price.amount",
    "status": "status",
}


@dataclass(frozen=True, slots=True)
class ProductListQuery:
    """Every criterion is optional and they combine with AND.

    ``name`` matches a case-insensitive substring taken literally (``%`` and
    ``_`` are not wildcards). ``cursor`` (from a previous page) and
    ``offset`` are alternatives.
    """

    status: Sequence[ProductStatus] = ()
    name: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    currency: str | None = None
    sort: Sequence[str] = ("code",)
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    cursor: str | None = None

    def to_spec(self) -> QuerySpec:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidQuery(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
        if not 0 <= self.offset <= MAX_OFFSET:
            raise InvalidQuery(
                f"offset must be between 0 and {MAX_OFFSET}; page further with the cursor",
                field="offset",
            )
        if self.name is not None and has_control_characters(self.name):
            # No name holds one, and PostgreSQL cannot even bind a NUL.
            raise InvalidQuery("name must not contain control characters", field="name")
        if self.currency is not None and not is_currency_code(self.currency):
            raise InvalidQuery(
                "currency is not an ISO 4217 code in use (e.g. 'EUR')",
                field="currency",
            )
        if (
            self.min_price is not None
            and self.max_price is not None
            and self.min_price > self.max_price
        ):
            raise InvalidQuery("min_price must not exceed max_price", field="min_price")
        return QuerySpec(
            filters=tuple(self._filters()),
            order_by=tuple(_ordering(key) for key in self.sort),
            limit=self.limit,
            offset=self.offset,
            after=self.cursor,
        )

    def _filters(self) -> list[Filter]:
        filters: list[Filter] = []
        if self.status:
            filters.append(Filter("status", Op.IN, [status.value for status in self.status]))
        if self.name:
            filters.append(Filter("name", Op.ILIKE, self.name))
        if self.min_price is not None:
            filters.append(Filter("price.amount", Op.GE, self.min_price))
        if self.max_price is not None:
            filters.append(Filter("price.amount", Op.LE, self.max_price))
        if self.currency is not None:
            filters.append(Filter("price.currency", Op.EQ, self.currency))
        return filters


def _ordering(key: str) -> Ordering:
    ordering = Ordering.parse(key)
    field = SORT_FIELDS.get(ordering.field)
    if field is None:
        allowed = ", ".join(sorted(SORT_FIELDS))
        raise InvalidQuery(f"cannot sort by that key; use one of {allowed}", field="sort")
    return Ordering(field, ordering.descending)
