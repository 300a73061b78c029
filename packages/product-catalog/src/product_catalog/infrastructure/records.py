"""The ``products`` table, on the shared ``Base`` (naming convention,
timestamps, soft delete, optimistic version)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import CHAR, CheckConstraint, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from product_catalog.domain import NAME_MAX_LENGTH
from product_catalog.domain.product_code import MAX_LENGTH as CODE_MAX_LENGTH
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.mixins import SoftDeleteMixin, TimestampMixin, VersionMixin

STATUS_MAX_LENGTH = 16


class ProductRecord(TimestampMixin, SoftDeleteMixin, VersionMixin, Base):
    """One row per product, deleted ones included (``deleted_at`` set).

    ``code`` is unique over all rows, so a deleted product's code stays
    taken: the constraint, not a read-then-write check, guarantees it even
    under concurrent requests. The CHECK constraints repeat the domain's
    rules as a last line of defence against writes that bypass it.
    """

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price_amount >= 0", name="price_amount_not_negative"),
        CheckConstraint("status IN ('draft', 'active', 'discontinued')", name="status_known"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_MAX_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH), index=True)
    description: Mapped[str] = mapped_column(Text)
    price_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    price_currency: Mapped[str] = mapped_column(CHAR(3))
    status: Mapped[str] = mapped_column(String(STATUS_MAX_LENGTH), index=True)
