"""create messaging_outbox, messaging_inbox and messaging_parked

Revision ID: 5a1d0c3e9b27
Revises:
Create Date: 2026-12-02 11:10:00

Types are spelled out here rather than imported from the application so
the migration keeps meaning what it meant when it was written.
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "5a1d0c3e9b27"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("messaging",)
depends_on: str | Sequence[str] | None = None


def _utc_datetime() -> sa.types.TypeEngine[datetime]:
    """``timestamptz`` on PostgreSQL, microsecond ``DATETIME(6)`` on MariaDB."""
    return sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def _position() -> sa.types.TypeEngine[int]:
    """SQLite only autoincrements an ``INTEGER PRIMARY KEY``."""
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "messaging_outbox",
        sa.Column("position", _position(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("aggregate_key", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _utc_datetime(), nullable=False),
        sa.Column("sent_at", _utc_datetime(), nullable=True),
        sa.Column("claimed_until", _utc_datetime(), nullable=True),
        sa.Column("claim_token", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_messaging_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_messaging_outbox_message_id")),
    )
    op.create_index(
        "ix_messaging_outbox_pending", "messaging_outbox", ["sent_at", "position"], unique=False
    )
    op.create_index(
        "ix_messaging_outbox_key_position",
        "messaging_outbox",
        ["aggregate_key", "position"],
        unique=False,
    )
    op.create_table(
        "messaging_inbox",
        sa.Column("consumer", sa.String(length=200), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("applied_at", _utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "message_id", name=op.f("pk_messaging_inbox")),
    )
    op.create_table(
        "messaging_parked",
        sa.Column("consumer", sa.String(length=200), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("position", _position(), nullable=False),
        sa.Column("aggregate_key", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("parked_at", _utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "message_id", name=op.f("pk_messaging_parked")),
    )
    op.create_index(
        "ix_messaging_parked_consumer_key",
        "messaging_parked",
        ["consumer", "aggregate_key", "position"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_messaging_parked_consumer_key", table_name="messaging_parked")
    op.drop_table("messaging_parked")
    op.drop_table("messaging_inbox")
    op.drop_index("ix_messaging_outbox_key_position", table_name="messaging_outbox")
    op.drop_index("ix_messaging_outbox_pending", table_name="messaging_outbox")
    op.drop_table("messaging_outbox")
