"""``DataclassBase``: records that are dataclasses too (``MappedAsDataclass``),
on the shared metadata and naming convention."""

from __future__ import annotations

import dataclasses

from sqlalchemy import String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared_infrastructure.database.base import Base, DataclassBase


class CoreDataclassNote(DataclassBase):
    __tablename__ = "core_dataclass_notes"
    __table_args__ = (UniqueConstraint("title"),)

    title: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(String(200), default="")
    id: Mapped[int] = mapped_column(primary_key=True, init=False)


def test_a_dataclass_record_is_built_by_its_generated_init_and_stored(session: Session) -> None:
    note = CoreDataclassNote("groceries", body="milk")
    session.add(note)
    session.flush()
    session.expunge_all()

    stored = session.scalars(select(CoreDataclassNote)).one()

    assert dataclasses.is_dataclass(stored)
    assert (stored.title, stored.body) == ("groceries", "milk")
    assert stored.to_dict() == {"id": stored.id, "title": "groceries", "body": "milk"}
    assert CoreDataclassNote("a") == CoreDataclassNote("a")  # dataclass equality


def test_dataclass_records_share_the_metadata_and_its_naming_convention() -> None:
    table = CoreDataclassNote.__table__

    assert table.metadata is Base.metadata
    assert {constraint.name for constraint in table.constraints} >= {
        "pk_core_dataclass_notes",
        "uq_core_dataclass_notes_title",
    }
