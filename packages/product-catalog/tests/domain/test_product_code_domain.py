"""Product codes have one format and are taken exactly as typed."""

import pytest

from product_catalog.domain import InvalidProductCode, ProductCode


@pytest.mark.parametrize("code", ["PROD001", "AB123", "ABCDEFGHIJ1234567890"])
def test_valid_codes_are_accepted_as_text(code: str) -> None:
    assert ProductCode(code) == code
    assert str(ProductCode(code)) == code


@pytest.mark.parametrize(
    "code",
    [
        "prod001",
        "PROD01",
        "P001",
        "PROD",
        "001PROD",
        "PROD-001",
        " PROD001",
        "PROD001 ",
        "",
        "ÄB123",
    ],
)
def test_malformed_codes_are_refused_naming_the_field(code: str) -> None:
    with pytest.raises(InvalidProductCode) as error:
        ProductCode(code)
    assert error.value.field == "code"
    assert "PROD001" in error.value.message


def test_codes_sort_as_text() -> None:
    assert sorted([ProductCode("PROD010"), ProductCode("PROD002")]) == ["PROD002", "PROD010"]
