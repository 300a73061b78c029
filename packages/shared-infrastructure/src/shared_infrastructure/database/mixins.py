"""Reusable column sets: timestamps, soft delete, optimistic version."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.sql import ColumnElement

from shared_infrastructure.database.types import UtcDateTime, utc_now, utcnow


class SameAsColumn:
    """A column default that repeats the value another column of the same
    row got (given or defaulted before it, in column order); ``otherwise``
    when that value is not known in Python (e.g. ``created_at=func.now()``
    is rendered into the SQL).

    A plain object, not a closure, so that bulk insert paths that fill
    defaults themselves (the PostgreSQL ``unnest`` path of the generic
    repository) can recognise it and copy the other column's values.
    """

    __slots__ = ("key", "otherwise")

    def __init__(self, key: str, otherwise: Callable[[], Any]) -> None:
        self.key = key
        self.otherwise = otherwise

    def __call__(self, context: DefaultExecutionContext) -> Any:
        # SQLAlchemy leaves get_current_parameters untyped.
        parameters = context.get_current_parameters()  # type: ignore[no-untyped-call]
        return parameters[self.key] if self.key in parameters else self.otherwise()

    def __repr__(self) -> str:
        return f"SameAsColumn({self.key!r})"


class TimestampMixin:
    """``created_at`` set when the object is built (or, for rows inserted
    without the ORM, by the database's ``utc_now()`` default),
    ``updated_at`` moved on every UPDATE; a new row has both equal."""

    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=utc_now(), nullable=False, sort_order=900
    )
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime(),
        default=SameAsColumn("created_at", otherwise=utcnow),
        server_default=utc_now(),
        onupdate=utcnow,
        nullable=False,
        sort_order=901,
    )


@event.listens_for(TimestampMixin, "init", propagate=True)
def _stamp_new_object(target: Any, args: Any, kwargs: dict[str, Any]) -> None:
    """A new object carries its timestamps before the first flush
    (``to_dict()``, responses built before the commit)."""
    if kwargs.get("created_at") is None:
        kwargs["created_at"] = utcnow()
    if kwargs.get("updated_at") is None:
        kwargs["updated_at"] = kwargs["created_at"]


class SoftDeleteMixin:
    """Rows are marked, not removed. Sessions of this package hide marked
    rows from ORM queries unless run with ``include_deleted=True``
    (``select(...).execution_options(include_deleted=True)``)."""

    deleted_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime(), default=None, nullable=True, index=True, sort_order=902
    )

    def soft_delete(self) -> None:
        if self.deleted_at is None:
            self.deleted_at = utcnow()

    def restore(self) -> None:
        self.deleted_at = None

    @hybrid_property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @is_deleted.inplace.expression
    @classmethod
    def _is_deleted_expression(cls) -> ColumnElement[bool]:
        return cls.deleted_at.is_not(None)


class VersionMixin:
    """Optimistic concurrency: every UPDATE checks and bumps ``version``;
    a stale write raises ``StaleDataError`` (translated to
    ``ConcurrencyConflict`` by the persistence layer)."""

    version: Mapped[int] = mapped_column(nullable=False, default=1, sort_order=899)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]
