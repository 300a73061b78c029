"""The product code: the human key of a product (``PROD001``)."""

from __future__ import annotations

import re
from typing import Self

from product_catalog.domain.errors import InvalidProductCode

_FORMAT = re.compile(r"[A-Z]{2,10}[0-9]{3,10}")

MAX_LENGTH = 20


class ProductCode(str):
    """A validated ``str``: compares, sorts and binds as its text.

    Being a ``str`` lets query specs filter and order on ``code`` with plain
    strings in the SQL adapter and in the fakes alike. Codes are taken
    exactly as given (no case folding), so a lookup never matches a code the
    user did not type.
    """

    __slots__ = ()

    def __new__(cls, value: str) -> Self:
        if not isinstance(value, str) or _FORMAT.fullmatch(value) is None:
            raise InvalidProductCode(value)
        return super().__new__(cls, value)
