"""Discontinued is final; nothing goes back to draft."""

import pytest

from product_catalog.domain import ProductStatus

DRAFT, ACTIVE, DISCONTINUED = ProductStatus


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (DRAFT, ACTIVE, True),
        (DRAFT, DISCONTINUED, True),
        (ACTIVE, DISCONTINUED, True),
        (ACTIVE, DRAFT, False),
        (ACTIVE, ACTIVE, False),
        (DISCONTINUED, ACTIVE, False),
        (DISCONTINUED, DRAFT, False),
        (DRAFT, DRAFT, False),
    ],
)
def test_transitions(current: ProductStatus, target: ProductStatus, allowed: bool) -> None:
    assert current.can_become(target) is allowed
