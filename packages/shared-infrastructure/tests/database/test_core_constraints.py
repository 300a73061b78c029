"""The naming convention reaches the real schema, foreign keys are
enforced everywhere (SQLite too), and integrity errors name the constraint
on every database, through the sync and the async driver."""

from __future__ import annotations

import pytest
from sqlalchemy import CheckConstraint, Engine, ForeignKey, String, delete, inspect
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared_infrastructure.database.base import Base
from shared_infrastructure.database.errors import IntegrityConflict, translate_error

PARENT = "core_naming_parent"
CHILD = "core_naming_child"
PK = f"pk_{PARENT}"
UQ = f"uq_{PARENT}_code"
IX = f"ix_{PARENT}_label"
CK = f"ck_{PARENT}_code_not_empty"
FK = f"fk_{CHILD}_parent_id_{PARENT}"


class CoreNamingParent(Base):
    __tablename__ = PARENT
    __table_args__ = (CheckConstraint("length(code) > 0", name="code_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str] = mapped_column(String(50), index=True)


class CoreNamingChild(Base):
    __tablename__ = CHILD

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    parent_id: Mapped[int] = mapped_column(ForeignKey(f"{PARENT}.id"))


def test_constraint_names_in_the_real_schema(sync_engine: Engine, db_kind: str) -> None:
    inspector = inspect(sync_engine)
    pk_name = inspector.get_pk_constraint(PARENT)["name"]
    # MariaDB keeps no primary key name (it is always PRIMARY, reflected as None).
    assert pk_name == (None if db_kind == "mariadb" else PK)
    assert UQ in {c["name"] for c in inspector.get_unique_constraints(PARENT)}
    assert IX in {i["name"] for i in inspector.get_indexes(PARENT)}
    assert FK in {fk["name"] for fk in inspector.get_foreign_keys(CHILD)}
    assert CK in {c["name"] for c in inspector.get_check_constraints(PARENT)}


def _conflict(error: sa_exc.DBAPIError) -> IntegrityConflict:
    translated = translate_error(error, metadata=Base.metadata)
    assert isinstance(translated, IntegrityConflict)
    return translated


def test_foreign_key_violation_is_rejected_and_named(session: Session) -> None:
    session.add(CoreNamingChild(id=1, parent_id=999))
    with pytest.raises(sa_exc.IntegrityError) as caught:
        session.flush()
    conflict = _conflict(caught.value)
    assert conflict.constraint == FK
    assert conflict.kind == "foreign_key"
    assert conflict.table == CHILD
    assert conflict.columns == ("parent_id",)


def test_deleting_a_referenced_parent_is_rejected_and_named(session: Session) -> None:
    session.add(CoreNamingParent(id=1, code="A", label="a"))
    session.flush()
    session.add(CoreNamingChild(id=1, parent_id=1))
    session.flush()
    with pytest.raises(sa_exc.IntegrityError) as caught:
        session.execute(delete(CoreNamingParent).where(CoreNamingParent.id == 1))
    assert _conflict(caught.value).constraint == FK


def test_unique_violation_is_named(session: Session) -> None:
    session.add(CoreNamingParent(id=1, code="DUP", label="a"))
    session.flush()
    session.add(CoreNamingParent(id=2, code="DUP", label="b"))
    with pytest.raises(sa_exc.IntegrityError) as caught:
        session.flush()
    conflict = _conflict(caught.value)
    assert (conflict.constraint, conflict.kind, conflict.field) == (UQ, "unique", "code")
    assert "DUP" not in conflict.message  # the message names the rule, not the data


def test_primary_key_violation_is_named(session: Session) -> None:
    session.add(CoreNamingParent(id=1, code="A", label="a"))
    session.flush()
    session.expunge_all()
    session.add(CoreNamingParent(id=1, code="B", label="b"))
    with pytest.raises(sa_exc.IntegrityError) as caught:
        session.flush()
    assert _conflict(caught.value).constraint == PK


def test_check_violation_is_named(session: Session) -> None:
    session.add(CoreNamingParent(id=1, code="", label="a"))
    # MariaDB reports a failed CHECK as an OperationalError (errno 4025).
    with pytest.raises(sa_exc.DBAPIError) as caught:
        session.flush()
    conflict = _conflict(caught.value)
    assert conflict.constraint == CK
    assert conflict.kind == "check"


def test_a_missing_value_names_its_column_not_a_unique_constraint(session: Session) -> None:
    """``code`` is NOT NULL and UNIQUE; the error is about the former."""
    session.add(CoreNamingParent(id=1, code=None, label="a"))
    with pytest.raises(sa_exc.IntegrityError) as caught:
        session.flush()
    conflict = _conflict(caught.value)
    assert (conflict.kind, conflict.field, conflict.constraint) == ("not_null", "code", None)
    assert conflict.table == PARENT
    assert conflict.message == "missing value for code"


async def test_the_async_drivers_name_the_missing_column_too(async_session: AsyncSession) -> None:
    async_session.add(CoreNamingParent(id=1, code="A", label=None))
    with pytest.raises(sa_exc.IntegrityError) as caught:
        await async_session.flush()
    conflict = _conflict(caught.value)
    assert (conflict.kind, conflict.field, conflict.table) == ("not_null", "label", PARENT)


async def test_async_driver_names_foreign_key_and_unique(async_session: AsyncSession) -> None:
    async_session.add(CoreNamingChild(id=1, parent_id=999))
    with pytest.raises(sa_exc.IntegrityError) as caught:
        await async_session.flush()
    assert _conflict(caught.value).constraint == FK
    await async_session.rollback()

    async_session.add(CoreNamingParent(id=1, code="DUP", label="a"))
    await async_session.flush()
    async_session.add(CoreNamingParent(id=2, code="DUP", label="b"))
    with pytest.raises(sa_exc.IntegrityError) as caught:
        await async_session.flush()
    assert _conflict(caught.value).constraint == UQ
