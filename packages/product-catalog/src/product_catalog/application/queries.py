"""Listing criteria in the catalog's words, turned into a ``QuerySpec``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from product_catalog.domain import ProductStatus
from shared_infrastructure.domain import Filter, InvalidQuery, Op, Ordering, QuerySpec

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

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
        raise InvalidQuery(f"cannot sort by {key!r}; use one of {allowed}", field="sort")
    return Ordering(field, ordering.descending)
