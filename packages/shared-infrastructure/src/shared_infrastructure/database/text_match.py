"""``case_sensitive_like``: one LIKE that means the same on every database.

Plain ``LIKE`` does not: SQLite ignores ASCII case, MariaDB follows the
column's collation (case-insensitive by default), PostgreSQL and the
in-memory fakes match case. The construct compiles per dialect, so the
statement is built once, whatever runs it:

=============  ====================================================
PostgreSQL     ``column LIKE :pattern ESCAPE '\\'``
SQLite         ``column GLOB :pattern``, the pattern converted on bind
MariaDB/MySQL  ``column LIKE :p AND column LIKE :p COLLATE utf8mb4_bin``
=============  ====================================================

Patterns use LIKE syntax (``%``, ``_``, ``LIKE_ESCAPE``) everywhere.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Dialect, SQLColumnExpression, String, TypeDecorator, and_, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from shared_infrastructure.domain.query import LIKE_ESCAPE

MYSQL_BINARY_COLLATION = "utf8mb4_bin"

_GLOB_LITERAL = {"*": "[*]", "?": "[?]", "[": "[[]"}


def like_to_glob(pattern: str) -> str:
    """A LIKE pattern (``LIKE_ESCAPE`` escapes) as the equivalent GLOB pattern."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == LIKE_ESCAPE and index + 1 < len(pattern):
            index += 1
            out.append(_GLOB_LITERAL.get(pattern[index], pattern[index]))
        elif char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        else:
            out.append(_GLOB_LITERAL.get(char, char))
        index += 1
    return "".join(out)


class LikePattern(TypeDecorator[str]):
    """A LIKE pattern bound as GLOB on SQLite, as given elsewhere."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is not None and dialect.name == "sqlite":
            return like_to_glob(value)
        return value


class CaseSensitiveLike(FunctionElement[bool]):
    """``column`` matches ``pattern``, upper and lower case apart."""

    name = "case_sensitive_like"
    type = Boolean()
    inherit_cache = True


def case_sensitive_like(column: SQLColumnExpression[Any], pattern: str) -> ColumnElement[bool]:
    return CaseSensitiveLike(column, literal(pattern, LikePattern()))


def _operands(element: CaseSensitiveLike) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    column, pattern = element.clauses
    return column, pattern


@compiles(CaseSensitiveLike)
def _compile_like(element: CaseSensitiveLike, compiler: SQLCompiler, **kw: Any) -> str:
    column, pattern = _operands(element)
    return compiler.process(column.like(pattern, escape=LIKE_ESCAPE), **kw)


@compiles(CaseSensitiveLike, "sqlite")
def _compile_glob(element: CaseSensitiveLike, compiler: SQLCompiler, **kw: Any) -> str:
    column, pattern = _operands(element)
    return compiler.process(column.op("GLOB", is_comparison=True)(pattern), **kw)


@compiles(CaseSensitiveLike, "mysql")
@compiles(CaseSensitiveLike, "mariadb")
def _compile_binary_like(element: CaseSensitiveLike, compiler: SQLCompiler, **kw: Any) -> str:
    """The plain LIKE first, in the column's collation, so that a prefix
    search can still range-scan the column's index; the binary LIKE then
    keeps upper and lower case apart."""
    column, pattern = _operands(element)
    binary = pattern.collate(MYSQL_BINARY_COLLATION)
    both = and_(column.like(pattern, escape=LIKE_ESCAPE), column.like(binary, escape=LIKE_ESCAPE))
    return compiler.process(both, **kw)


__all__ = ["CaseSensitiveLike", "LikePattern", "case_sensitive_like", "like_to_glob"]
