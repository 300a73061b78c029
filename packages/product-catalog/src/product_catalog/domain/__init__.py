"""The catalog's domain model: pure Python, no persistence or web code."""

from product_catalog.domain.currencies import ISO_4217_CODES, MINOR_UNITS, is_currency_code
from product_catalog.domain.errors import (
    DuplicateProductCode,
    InvalidDescription,
    InvalidMoney,
    InvalidPrice,
    InvalidProductCode,
    InvalidProductName,
    InvalidStatusTransition,
    PriceChangeNotAllowed,
    ProductNotFound,
)
from product_catalog.domain.events import (
    ProductActivated,
    ProductCreated,
    ProductDeleted,
    ProductDescriptionChanged,
    ProductDiscontinued,
    ProductEvent,
    ProductPriceChanged,
    ProductRenamed,
)
from product_catalog.domain.money import Money
from product_catalog.domain.product import (
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    PRICE_MAX,
    Product,
)
from product_catalog.domain.product_code import ProductCode
from product_catalog.domain.product_status import ProductStatus
from product_catalog.domain.repository import QUERYABLE_FIELDS, ProductRepository
from product_catalog.domain.text import has_control_characters

__all__ = [
    "DESCRIPTION_MAX_LENGTH",
    "ISO_4217_CODES",
    "MINOR_UNITS",
    "NAME_MAX_LENGTH",
    "PRICE_MAX",
    "QUERYABLE_FIELDS",
    "DuplicateProductCode",
    "InvalidDescription",
    "InvalidMoney",
    "InvalidPrice",
    "InvalidProductCode",
    "InvalidProductName",
    "InvalidStatusTransition",
    "Money",
    "PriceChangeNotAllowed",
    "Product",
    "ProductActivated",
    "ProductCode",
    "ProductCreated",
    "ProductDeleted",
    "ProductDescriptionChanged",
    "ProductDiscontinued",
    "ProductEvent",
    "ProductNotFound",
    "ProductPriceChanged",
    "ProductRenamed",
    "ProductRepository",
    "ProductStatus",
    "has_control_characters",
    "is_currency_code",
]
