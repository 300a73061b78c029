"""The declarative ``Base`` every record inherits, with a naming
convention so constraint names are identical on every database (and errors
can name the violated constraint without guessing)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import MetaData, inspect
from sqlalchemy.orm import DeclarativeBase, MappedAsDataclass

from shared_infrastructure.database.types import DEFAULT_STRING, UtcDateTime

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base: naming convention, aware datetimes, ``to_dict``."""

    __abstract__ = True

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), str: DEFAULT_STRING}

    def __init__(self, **kwargs: Any) -> None:
        if type(self).__dict__.get("__abstract__", False):
            raise TypeError(f"{type(self).__name__} is abstract: instantiate a mapped subclass")
        type(self).registry.constructor(self, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        """Column values by attribute name (relationships are left out)."""
        mapper = inspect(type(self))
        return {attr.key: getattr(self, attr.key) for attr in mapper.column_attrs}

    def __repr__(self) -> str:
        mapper = inspect(type(self))
        state = inspect(self)
        parts = []
        for attr in mapper.column_attrs:
            if attr.key in state.unloaded:
                continue
            parts.append(f"{attr.key}={getattr(self, attr.key)!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


class DataclassBase(MappedAsDataclass, Base):
    """The dataclass style: records that are also dataclasses
    (``mapped_column(..., init=False)``), on the same metadata."""

    __abstract__ = True
