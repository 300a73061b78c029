"""ticket products, event tickets, registration counters and their page index

Revision ID: 5b8d3f2a9c61
Revises: c7e2a91f04b3
Create Date: 2026-12-02 11:20:00

- ``event_ticket_products``: this context's copy of catalog products (code,
  price, on sale), fed by the catalog's integration events.
- ``events.ticket_product_code``: the product an event is sold as (no
  foreign key: the product may not have been heard of yet).
- ``events.registration_count``: confirmed registrations, kept on the event
  row like ``seats_taken`` so registering never reads the registrations;
  filled from the existing rows.
- an index on ``event_registrations (event_id, registered_at, id)``, the
  keyset of the registrations page.
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "5b8d3f2a9c61"
down_revision: str | Sequence[str] | None = "c7e2a91f04b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc_datetime() -> sa.types.TypeEngine[datetime]:
    """``timestamptz`` on PostgreSQL, microsecond ``DATETIME(6)`` on MariaDB."""
    return sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "event_ticket_products",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("price_amount", sa.String(length=32), nullable=True),
        sa.Column("price_currency", sa.String(length=3), nullable=True),
        sa.Column("on_sale", sa.Boolean(), nullable=False),
        sa.Column("as_of", _utc_datetime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_event_ticket_products")),
    )
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("registration_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("ticket_product_code", sa.String(length=20), nullable=True))
    registrations = sa.table(
        "event_registrations",
        sa.column("event_id", sa.String()),
        sa.column("status", sa.String()),
    )
    events = sa.table("events", sa.column("id", sa.String()), sa.column("registration_count"))
    confirmed = (
        sa.select(sa.func.count())
        .select_from(registrations)
        .where(registrations.c.event_id == events.c.id, registrations.c.status == "confirmed")
        .scalar_subquery()
    )
    op.execute(events.update().values(registration_count=confirmed))
    with op.batch_alter_table("events") as batch:
        batch.create_check_constraint(
            op.f("ck_events_registrations_within_seats"),
            "registration_count >= 0 AND registration_count <= seats_taken",
        )
    op.create_index(
        "ix_event_registrations_event_id_registered_at",
        "event_registrations",
        ["event_id", "registered_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_event_registrations_event_id_registered_at", table_name="event_registrations")
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint(op.f("ck_events_registrations_within_seats"), type_="check")
        batch.drop_column("ticket_product_code")
        batch.drop_column("registration_count")
    op.drop_table("event_ticket_products")
