"""Active record for scripts and simple modules ``BaseModel``.

``event.save()`` flushes when called inside a ``transaction()`` block (the
block commits or rolls back everything together) and commits at once
outside one, so a lone ``save()`` is atomic and a group of them is too.
Domain code of the bounded contexts uses repositories and a unit of work
instead; this is the short path for scripts, demo data and admin tasks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self, overload

from sqlalchemy.orm import Mapped, Session, declared_attr, object_session, synonym

from shared_infrastructure.database.base import Base
from shared_infrastructure.database.defaults import get_database, is_in_transaction
from shared_infrastructure.database.errors import translate_error
from shared_infrastructure.database.mixins import SoftDeleteMixin, TimestampMixin


class _CurrentSession:
    """``Model.session`` and ``model.session``: the default sync database's
    current session (the active ``scope()``, else the implicit one)."""

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Session: ...
    @overload
    def __get__(self, instance: object, owner: type[Any] | None = None) -> Session: ...
    def __get__(self, instance: object | None, owner: type[Any] | None = None) -> Session:
        return get_database().session


class BaseModel(TimestampMixin, Base):
    """Abstract record with timestamps, ``save()``, ``delete()`` and ``session``.

    ``created``/``updated`` are synonyms of ``created_at``/``updated_at``.
    """

    __abstract__ = True

    session = _CurrentSession()

    @declared_attr
    def created(cls) -> Mapped[datetime]:
        return synonym("created_at")

    @declared_attr
    def updated(cls) -> Mapped[datetime]:
        return synonym("updated_at")

    def _own_session(self) -> Session:
        """The session holding this object, else the default current one."""
        return object_session(self) or type(self).session

    @property
    def is_in_transaction(self) -> bool:
        """True inside a ``transaction()``/``savepoint()`` block."""
        return is_in_transaction(self._own_session())

    def save(self) -> Self:
        """Add and write: flush inside a transaction block, else commit."""
        session = self._own_session()
        session.add(self)
        _write(session, entity=type(self).__name__)
        return self

    def delete(self, *, hard: bool = False) -> None:
        """Remove the row; soft-deletable records are only marked unless ``hard``."""
        session = self._own_session()
        if isinstance(self, SoftDeleteMixin) and not hard:
            self.soft_delete()
            session.add(self)
        else:
            session.delete(self)
        _write(session, entity=type(self).__name__)


def _write(session: Session, *, entity: str) -> None:
    """Flush inside a transaction block, commit outside; errors translated."""
    inside = is_in_transaction(session)
    try:
        if inside:
            session.flush()
        else:
            session.commit()
    except Exception as error:
        if not inside:
            session.rollback()
        translated = translate_error(error, metadata=Base.metadata, entity=entity)
        if translated is error:
            raise
        raise translated from error
