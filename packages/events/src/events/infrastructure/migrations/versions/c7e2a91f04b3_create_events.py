"""create events and event_registrations

Revision ID: c7e2a91f04b3
Revises:
Create Date: 2026-11-22 02:23:24

Types are spelled out here rather than imported from the application so
the migration keeps meaning what it meant when it was written.
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "c7e2a91f04b3"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("events",)
depends_on: str | Sequence[str] | None = None


def _utc_datetime() -> sa.types.TypeEngine[datetime]:
    """``timestamptz`` on PostgreSQL, microsecond ``DATETIME(6)`` on MariaDB."""
    return sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("starts_at", _utc_datetime(), nullable=False),
        sa.Column("ends_at", _utc_datetime(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc_datetime(), nullable=False),
        sa.Column("updated_at", _utc_datetime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'cancelled')", name=op.f("ck_events_status_known")
        ),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_events_capacity_positive")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_events_ends_after_starts")),
        sa.CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity",
            name=op.f("ck_events_seats_within_capacity"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(op.f("ix_events_starts_at"), "events", ["starts_at"], unique=False)
    op.create_index("ix_events_status_starts_at", "events", ["status", "starts_at"], unique=False)
    op.create_table(
        "event_registrations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("attendee_email", sa.String(length=254), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("registered_at", _utc_datetime(), nullable=False),
        sa.Column("cancelled_at", _utc_datetime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('confirmed', 'cancelled')",
            name=op.f("ck_event_registrations_status_known"),
        ),
        sa.CheckConstraint("seats > 0", name=op.f("ck_event_registrations_seats_positive")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_registrations_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_registrations")),
        sa.UniqueConstraint(
            "event_id", "attendee_email", name="uq_event_registrations_event_id_attendee_email"
        ),
    )


def downgrade() -> None:
    op.drop_table("event_registrations")
    op.drop_index("ix_events_status_starts_at", table_name="events")
    op.drop_index(op.f("ix_events_starts_at"), table_name="events")
    op.drop_table("events")
