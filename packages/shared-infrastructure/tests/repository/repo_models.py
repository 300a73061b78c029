"""Records used by the repository tests (tables prefixed ``repo_``)."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Enum, Float, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared_infrastructure.database.base import Base
from shared_infrastructure.database.mixins import SoftDeleteMixin, TimestampMixin, VersionMixin


class User(Base, TimestampMixin, SoftDeleteMixin):
    """The repository guide's ``User`` (lengths added: MariaDB needs them; ``last_login``
    added: the seed's ``UserRepository`` filters on it)."""

    __tablename__ = "repo_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(255), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login: Mapped[datetime | None] = mapped_column(default=None)


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


class Item(Base):
    """No mixins: plain deletes, nullable and enum columns for ordering."""

    __tablename__ = "repo_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    qty: Mapped[int] = mapped_column(default=0)
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    note: Mapped[str | None] = mapped_column(String(100), default=None)
    colour: Mapped[Colour] = mapped_column(Enum(Colour, native_enum=False), default=Colour.RED)


class Counter(Base, TimestampMixin, VersionMixin):
    """Optimistic version column and timestamps (bulk updates and upserts)."""

    __tablename__ = "repo_counters"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    value: Mapped[int] = mapped_column(default=0)


class Token(Base):
    """A client-generated UUID key."""

    __tablename__ = "repo_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    label: Mapped[str] = mapped_column(String(50))


class Membership(Base):
    """A composite primary key."""

    __tablename__ = "repo_memberships"

    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    group_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(20), default="member")


class Shelf(Base):
    """Not soft-deleted itself, but eagerly loads soft-deleted children."""

    __tablename__ = "repo_shelves"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(50))
    books: Mapped[list[Book]] = relationship(lazy="selectin", order_by="Book.id")


class Book(Base, SoftDeleteMixin):
    __tablename__ = "repo_books"

    id: Mapped[int] = mapped_column(primary_key=True)
    shelf_id: Mapped[int] = mapped_column(ForeignKey("repo_shelves.id"))
    title: Mapped[str] = mapped_column(String(50))


class Measure(Base):
    """Column types that travel as PostgreSQL arrays in bulk inserts."""

    __tablename__ = "repo_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    ratio: Mapped[float] = mapped_column(Float, default=0.5)
    day: Mapped[date] = mapped_column(Date)
    flag: Mapped[bool] = mapped_column(default=False)
    ref: Mapped[uuid.UUID | None] = mapped_column(default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
