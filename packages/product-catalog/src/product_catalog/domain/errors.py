"""Errors of the catalog's rules, each a subclass of a shared base.

The base decides the HTTP status (rule broken -> 422, wrong state or
duplicate -> 409, missing -> 404); ``field`` tells a client what to fix.
"""

from __future__ import annotations

from uuid import UUID

from shared_infrastructure.domain import Conflict, DomainRuleViolation, NotFound


class InvalidProductCode(DomainRuleViolation):
    def __init__(self, code: object) -> None:
        super().__init__(
            "product code must be 2 to 10 capital letters followed by "
            "3 to 10 digits, e.g. 'PROD001'",
            field="code",
        )


class InvalidProductName(DomainRuleViolation):
    def __init__(self, reason: str) -> None:
        super().__init__(f"product name {reason}", field="name")


class InvalidDescription(DomainRuleViolation):
    def __init__(self, reason: str) -> None:
        super().__init__(f"description {reason}", field="description")


class InvalidMoney(DomainRuleViolation):
    """Not an amount of a real currency; ``field`` is ``amount`` or ``currency``."""


class InvalidPrice(DomainRuleViolation):
    """A price the catalog cannot sell at (negative, too precise, too large)."""

    def __init__(self, message: str, *, field: str = "price.amount") -> None:
        super().__init__(message, field=field)


class InvalidStatusTransition(Conflict):
    def __init__(self, current: str, target: str) -> None:
        super().__init__(
            f"a {current} product cannot become {target}",
            field="status",
            current=current,
            target=target,
        )


class PriceChangeNotAllowed(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(
            f"the price of a {status} product cannot change", field="price", status=status
        )


class DuplicateProductCode(Conflict):
    def __init__(self, code: str) -> None:
        super().__init__("this product code is already in use", field="code", code=code)


class ProductNotFound(NotFound):
    def __init__(self, identifier: UUID | str) -> None:
        super().__init__("Product", identifier)
