"""``case_sensitive_like`` keeps case apart on every database, also where
plain LIKE does not (SQLite; MariaDB with a case-insensitive collation)."""

from __future__ import annotations

import pytest
from sqlalchemy import Dialect, String, func, select
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared_infrastructure.database.base import Base
from shared_infrastructure.database.text_match import case_sensitive_like, like_to_glob

# Production MariaDB databases usually default to a case-insensitive collation.
CASE_INSENSITIVE_TEXT = String(40).with_variant(
    String(40, collation="utf8mb4_general_ci"), "mysql", "mariadb"
)


class CoreWord(Base):
    __tablename__ = "core_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(CASE_INSENSITIVE_TEXT)


WORDS = ["Widget", "widget", "WIDGET", "w_dget", "50% off", "a*b", "a?b", "[ab]", "CAFÉ CRÈME"]


@pytest.fixture
def words(session: Session) -> Session:
    session.add_all(CoreWord(word=word) for word in WORDS)
    session.flush()
    return session


def matching(session: Session, pattern: str) -> list[str]:
    statement = (
        select(CoreWord.word)
        .where(case_sensitive_like(CoreWord.word, pattern))
        .order_by(CoreWord.id)
    )
    return list(session.scalars(statement))


def test_case_is_kept_apart(words: Session) -> None:
    assert matching(words, "%idg%") == ["Widget", "widget"]
    assert matching(words, "W%") == ["Widget", "WIDGET"]
    assert matching(words, "%IDG%") == ["WIDGET"]


def test_like_wildcards_and_escapes_mean_the_same_everywhere(words: Session) -> None:
    assert matching(words, "w_dget") == ["widget", "w_dget"]
    assert matching(words, "w\\_dget") == ["w_dget"]
    assert matching(words, "50\\%%") == ["50% off"]


def test_glob_metacharacters_stay_literal(words: Session) -> None:
    assert matching(words, "a*b") == ["a*b"]
    assert matching(words, "a?b") == ["a?b"]
    assert matching(words, "[ab]") == ["[ab]"]
    assert matching(words, "a_b") == ["a*b", "a?b"]


def test_ilike_folds_case_beyond_ascii_as_the_fakes_do(words: Session) -> None:
    """SQLite's own lower() folds ASCII only; PostgreSQL, MariaDB and Python
    fold Unicode."""
    statement = select(CoreWord.word).where(CoreWord.word.ilike("%crème%"))
    assert list(words.scalars(statement)) == ["CAFÉ CRÈME"]
    assert words.scalar(select(func.lower("CAFÉ"))) == "café"
    assert words.scalar(select(func.upper("crème"))) == "CRÈME"


@pytest.mark.parametrize(
    ("dialect", "operator"),
    [
        (sqlite.dialect(), " GLOB "),
        (postgresql.dialect(), " LIKE "),
        (mysql.dialect(), " COLLATE utf8mb4_bin"),
    ],
)
def test_compiles_per_dialect(dialect: Dialect, operator: str) -> None:
    assert operator in str(case_sensitive_like(CoreWord.word, "x%").compile(dialect=dialect))


@pytest.mark.parametrize(
    ("like", "glob"),
    [
        ("%a_b%", "*a?b*"),
        ("100\\%", "100%"),
        ("a\\_b", "a_b"),
        ("a*b?[c]", "a[*]b[?][[]c]"),
        ("back\\\\slash", "back\\slash"),
    ],
)
def test_like_patterns_become_equivalent_globs(like: str, glob: str) -> None:
    assert like_to_glob(like) == glob


async def test_the_async_driver_folds_unicode_too(async_session: AsyncSession) -> None:
    assert await async_session.scalar(select(func.lower("CAFÉ CRÈME"))) == "café crème"
