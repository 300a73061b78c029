"""Create the products table.

Revision ID: e4c1a9d2b7f3
Revises:
Create Date: 2026-11-22

The root of the ``product_catalog`` branch: this context's migrations live
in its own version directory and never depend on another context's.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared_infrastructure.database.types import UtcDateTime

revision: str = "e4c1a9d2b7f3"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("product_catalog",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("price_currency", sa.CHAR(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("deleted_at", UtcDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'active', 'discontinued')",
            name=op.f("ck_products_status_known"),
        ),
        sa.CheckConstraint("price_amount >= 0", name=op.f("ck_products_price_amount_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("code", name=op.f("uq_products_code")),
    )
    op.create_index(op.f("ix_products_deleted_at"), "products", ["deleted_at"], unique=False)
    op.create_index(op.f("ix_products_name"), "products", ["name"], unique=False)
    op.create_index(op.f("ix_products_status"), "products", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_products_status"), table_name="products")
    op.drop_index(op.f("ix_products_name"), table_name="products")
    op.drop_index(op.f("ix_products_deleted_at"), table_name="products")
    op.drop_table("products")
