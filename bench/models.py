"""The benchmark's record: the generic repository's example ``User`` without soft delete (so
``delete_many`` is a real ``DELETE`` for every contender)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from shared_infrastructure.database.base import Base
from shared_infrastructure.database.mixins import TimestampMixin


class BenchUser(Base, TimestampMixin):
    __tablename__ = "bench_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(255), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
