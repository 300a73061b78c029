"""SQLAlchemy/driver errors wrapped into a small hierarchy the web layer maps.

Integrity errors name the violated constraint. Thanks to the naming
convention the name is known to ``Base.metadata``; drivers that report it
(psycopg, asyncpg, MariaDB's key name) are trusted first, SQLite's column
list is resolved against the metadata. No guessing from free text beyond
pulling out the identifier the driver put there.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import ForeignKeyConstraint, MetaData, Table, UniqueConstraint
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm.exc import StaleDataError

from shared_infrastructure.domain.errors import (
    ConcurrencyConflict,
    Conflict,
    DomainRuleViolation,
    NotFound,
)

logger = logging.getLogger("shared_infrastructure.database")


class DatabaseError(Exception):
    """Base of wrapped database failures; ``original`` keeps the cause."""

    def __init__(
        self, message: str, *, original: BaseException | None = None, **context: Any
    ) -> None:
        super().__init__(message)
        self.message = message
        self.original = original
        self.context = context


class NotFoundError(DatabaseError, NotFound):
    """A row looked up by key or filters does not exist (HTTP 404)."""

    def __init__(self, entity: str, identifier: object) -> None:
        NotFound.__init__(self, entity, identifier)
        self.original = None


class IntegrityConflict(DatabaseError, Conflict):
    """A constraint rejected the write (HTTP 409): unique, FK, check, not-null."""

    def __init__(
        self,
        message: str,
        *,
        constraint: str | None,
        table: str | None = None,
        columns: tuple[str, ...] = (),
        kind: str = "integrity",
        original: BaseException | None = None,
    ) -> None:
        field = columns[0] if len(columns) == 1 else (", ".join(columns) or None)
        Conflict.__init__(self, message, field=field, constraint=constraint, table=table)
        self.original = original
        self.constraint = constraint
        self.table = table
        self.columns = columns
        self.kind = kind


class StaleVersionError(DatabaseError, ConcurrencyConflict):
    """An UPDATE/DELETE matched no row at the expected version (HTTP 409)."""

    def __init__(self, entity: str, identifier: object, original: BaseException | None = None):
        ConcurrencyConflict.__init__(self, entity, identifier)
        self.original = original


class SerializationConflict(DatabaseError, ConcurrencyConflict):
    """Concurrent transactions collided (serialization failure, deadlock,
    SQLite's busy writer): retrying the whole unit of work may succeed."""

    def __init__(
        self,
        original: BaseException | None = None,
        *,
        entity: str = "transaction",
        identifier: object = None,
    ) -> None:
        ConcurrencyConflict.__init__(self, entity, identifier)
        subject = "the transaction" if identifier is None else f"{entity} '{identifier}'"
        # Say no more than is known: SQLite's stale snapshot, a deadlock or a
        # serialization failure do not mean that the same rows were written.
        self.message = f"{subject} lost a race with a concurrent transaction; retry"
        self.args = (self.message,)
        self.original = original


class InvalidValue(DatabaseError, DomainRuleViolation):
    """A column type refused a value before it was sent (HTTP 422), e.g. a
    naive datetime for a ``UtcDateTime`` column. Nothing was written."""

    def __init__(self, message: str, *, original: BaseException | None = None) -> None:
        DomainRuleViolation.__init__(self, message)
        self.original = original
        self.context = {}


class ValidationError(DomainRuleViolation):
    """Input refused by application code before any write (HTTP 422):
    ``ValidationError(message="Email already exists", context={...})``."""

    def __init__(
        self, message: str, *, context: dict[str, Any] | None = None, field: str | None = None
    ) -> None:
        super().__init__(message, field=field, **(context or {}))


class DatabaseUnavailable(DatabaseError):
    """Cannot reach the database or get a connection in time (HTTP 503)."""


# -- serialization failures -------------------------------------------------

# SQLITE_BUSY: a connection that already read may not take the write lock
# while another writer holds it (SQLite refuses at once to avoid a deadlock),
# or the busy timeout ran out; BUSY_SNAPSHOT: its snapshot is stale.
_SQLITE_BUSY_CODES = frozenset({5, 517})
_PG_RETRYABLE = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
_MYSQL_DEADLOCK = 1213


def is_serialization_failure(error: BaseException) -> bool:
    """True for the driver errors that mean "collided with a concurrent
    transaction", read from the codes drivers attach (never from text)."""
    orig = getattr(error, "orig", error)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        if candidate is None:
            continue
        if getattr(candidate, "sqlite_errorcode", None) in _SQLITE_BUSY_CODES:
            return True
        if getattr(candidate, "sqlstate", None) in _PG_RETRYABLE:
            return True
        args = getattr(candidate, "args", ())
        if args and args[0] == _MYSQL_DEADLOCK:
            return True
    return False


# -- unavailability -----------------------------------------------------------

# Codes that mean "the server or the file cannot serve us now", as opposed
# to an error in what we asked (a missing table, a syntax error): only these
# deserve a 503 and a Retry-After.
# Waiting too long (for a lock, for a statement) counts too: it is transient.
_PG_UNAVAILABLE_CLASSES = ("08", "53", "57", "55P03")  # + lock_not_available
_MYSQL_UNAVAILABLE = frozenset(
    {1040, 1053, 1205, 1969, 2002, 2003, 2005, 2006, 2013, 2055, 3024}
)  # 1205 lock wait timeout, 1969/3024 statement time limits
_SQLITE_UNAVAILABLE = frozenset({10, 13, 14})  # IOERR, FULL, CANTOPEN (primary codes)


def _driver_says_unavailable(orig: BaseException | None) -> bool:
    for candidate in (orig, getattr(orig, "__cause__", None)):
        if candidate is None:
            continue
        if isinstance(candidate, OSError | ConnectionError):
            return True
        sqlite_code = getattr(candidate, "sqlite_errorcode", None)
        if isinstance(sqlite_code, int) and sqlite_code & 0xFF in _SQLITE_UNAVAILABLE:
            return True
        sqlstate = getattr(candidate, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_PG_UNAVAILABLE_CLASSES):
            return True
        args = getattr(candidate, "args", ())
        if args and isinstance(args[0], int) and args[0] in _MYSQL_UNAVAILABLE:
            return True
    return False


def is_unavailable(error: BaseException) -> bool:
    """True when the database could not serve the request at all: no
    connection (refused, lost, pool exhausted, file unreadable), as told by
    SQLAlchemy's disconnect detection and the drivers' codes. An error in
    the statement itself (e.g. a table that migrations never created) is
    not unavailability, even where the driver calls it "operational"."""
    if isinstance(error, OSError | ConnectionError | sa_exc.InterfaceError):
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated or _driver_says_unavailable(error.orig):
        return True
    # Failures while connecting carry no statement.
    return isinstance(error, sa_exc.OperationalError) and error.statement is None


# -- constraint identification ------------------------------------------------

_MYSQL_KEY = re.compile(r"for key '(?:[^'.]+\.)?([^']+)'")
_MYSQL_FK = re.compile(r"CONSTRAINT `([^`]+)`")
_MYSQL_CHECK = re.compile(r"Check constraint '([^']+)'")
_SQLITE_COLUMNS = re.compile(r"(?:UNIQUE|NOT NULL) constraint failed: (.+)$")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\S+)")


def _driver_constraint_name(orig: BaseException | None) -> str | None:
    """The constraint name as reported by the driver, when it reports one."""
    if orig is None:
        return None
    diag = getattr(orig, "diag", None)  # psycopg
    if diag is not None and getattr(diag, "constraint_name", None):
        return str(diag.constraint_name)
    for candidate in (orig, getattr(orig, "__cause__", None)):  # asyncpg (wrapped)
        name = getattr(candidate, "constraint_name", None)
        if name:
            return str(name)
    text = str(orig)
    for pattern in (_MYSQL_KEY, _MYSQL_FK, _MYSQL_CHECK, _SQLITE_CHECK):
        match = pattern.search(text)
        if match:
            return match.group(1)
    return None


def _lookup(metadata: MetaData | None, name: str) -> tuple[Table, tuple[str, ...]] | None:
    if metadata is None:
        return None
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if constraint.name == name:
                return table, tuple(c.name for c in getattr(constraint, "columns", ()))
        for index in table.indexes:
            if index.name == name:
                return table, tuple(c.name for c in index.columns)
    return None


def _sqlite_columns(
    metadata: MetaData | None, text: str
) -> tuple[str | None, str | None, tuple[str, ...]]:
    match = _SQLITE_COLUMNS.search(text)
    if not match:
        return None, None, ()
    pairs = [item.strip().split(".", 1) for item in match.group(1).split(",")]
    table_name = pairs[0][0] if pairs and len(pairs[0]) == 2 else None
    columns = tuple(pair[-1] for pair in pairs)
    constraint = None
    if metadata is not None and table_name is not None and table_name in metadata.tables:
        table = metadata.tables[table_name]
        candidates: list[tuple[str | None, tuple[str, ...]]] = [
            (str(c.name), tuple(col.name for col in c.columns))
            for c in table.constraints
            if isinstance(c, UniqueConstraint)
        ]
        candidates += [
            (str(i.name), tuple(col.name for col in i.columns)) for i in table.indexes if i.unique
        ]
        candidates.append((str(table.primary_key.name), tuple(table.primary_key.columns.keys())))
        for name, constraint_columns in candidates:
            if constraint_columns == columns:
                constraint = name
    return constraint, table_name, columns


_STATEMENT_TABLE = re.compile(
    r"^\s*(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+[`\"\[]?(\w+)", re.IGNORECASE
)


def _sqlite_foreign_key(
    metadata: MetaData | None, statement: str | None
) -> tuple[str | None, str | None, tuple[str, ...]]:
    """SQLite names no constraint when a foreign key fails; the statement's
    table does when only one foreign key can be involved (a written child's,
    or the one pointing at a deleted parent)."""
    match = _STATEMENT_TABLE.match(statement or "")
    if not match or metadata is None:
        return None, None, ()
    verb, table_name = match.group(1).split()[0].upper(), match.group(2)
    candidates: list[ForeignKeyConstraint] = []
    if verb in ("INSERT", "UPDATE") and table_name in metadata.tables:
        candidates += list(metadata.tables[table_name].foreign_key_constraints)
    if verb in ("DELETE", "UPDATE"):
        candidates += [
            fk
            for table in metadata.tables.values()
            for fk in table.foreign_key_constraints
            if fk.referred_table.name == table_name
        ]
    if len(candidates) != 1:
        return None, table_name, ()
    found = candidates[0]
    return str(found.name), found.table.name, tuple(column.name for column in found.columns)


def _primary_key_name(metadata: MetaData | None, statement: str | None) -> str | None:
    match = _STATEMENT_TABLE.match(statement or "")
    if not match or metadata is None or match.group(2) not in metadata.tables:
        return None
    return str(metadata.tables[match.group(2)].primary_key.name)


# The kind of a violation, from the codes drivers attach.
_SQLITE_KINDS = {2067: "unique", 1555: "unique", 787: "foreign_key", 1299: "not_null", 275: "check"}
_PG_KINDS = {"23505": "unique", "23503": "foreign_key", "23502": "not_null", "23514": "check"}
_MYSQL_KINDS = {
    1062: "unique",
    1451: "foreign_key",
    1452: "foreign_key",
    1048: "not_null",
    1364: "not_null",
    3819: "check",
    4025: "check",
}
# MariaDB/MySQL put the column of a NOT NULL violation only in the message.
_MYSQL_NULL_COLUMN = re.compile(r"(?:Column|Field) '([^']+)'")


def _coded_kind(orig: BaseException | None) -> str | None:
    for candidate in (orig, getattr(orig, "__cause__", None)):
        if candidate is None:
            continue
        sqlite_code = getattr(candidate, "sqlite_errorcode", None)
        if sqlite_code in _SQLITE_KINDS:
            return _SQLITE_KINDS[sqlite_code]
        sqlstate = getattr(candidate, "sqlstate", None)
        if sqlstate in _PG_KINDS:
            return _PG_KINDS[sqlstate]
        args = getattr(candidate, "args", ())
        if args and isinstance(args[0], int) and args[0] in _MYSQL_KINDS:
            return _MYSQL_KINDS[args[0]]
    return None


def _missing_column(
    orig: BaseException | None, statement: str | None
) -> tuple[str | None, str | None]:
    """(table, column) of a NOT NULL violation, as the driver reports them."""
    diag = getattr(orig, "diag", None)  # psycopg
    if diag is not None and getattr(diag, "column_name", None):
        return diag.table_name, diag.column_name
    for candidate in (orig, getattr(orig, "__cause__", None)):  # asyncpg (wrapped)
        column = getattr(candidate, "column_name", None)
        if column:
            return getattr(candidate, "table_name", None), str(column)
    text = str(orig)
    sqlite = _SQLITE_COLUMNS.search(text)
    if sqlite:
        table, _, column = sqlite.group(1).strip().rpartition(".")
        return table or None, column
    mysql_column = _MYSQL_NULL_COLUMN.search(text)
    if mysql_column:
        match = _STATEMENT_TABLE.match(statement or "")
        return (match.group(2) if match else None), mysql_column.group(1)
    return None, None


def _kind(text: str) -> str:
    """The fallback for drivers that attach no code."""
    lowered = text.lower()
    for kind, words in (
        ("unique", ("unique", "duplicate")),
        ("foreign_key", ("foreign key",)),
        ("not_null", ("not null", "cannot be null", "null value")),
        ("check", ("check constraint",)),
    ):
        if any(word in lowered for word in words):
            return kind
    return "integrity"


# MariaDB (4025) and MySQL (3819) report a failed CHECK as an OperationalError.
_MYSQL_CHECK_ERRNOS = frozenset({3819, 4025})


def _is_integrity_error(error: BaseException) -> bool:
    if isinstance(error, sa_exc.IntegrityError):
        return True
    args: tuple[Any, ...] = ()
    if isinstance(error, sa_exc.DBAPIError):
        args = tuple(getattr(error.orig, "args", ()))
    return bool(args) and args[0] in _MYSQL_CHECK_ERRNOS


def integrity_conflict(
    error: sa_exc.DBAPIError, metadata: MetaData | None = None
) -> IntegrityConflict:
    orig = error.orig
    text = str(orig)
    kind = _coded_kind(orig) or _kind(text)
    if kind == "not_null":
        missing_table, column = _missing_column(orig, error.statement)
        return IntegrityConflict(
            f"missing value for {column or 'a required column'}",
            constraint=None,
            table=missing_table,
            columns=(column,) if column else (),
            kind=kind,
            original=error,
        )
    name = _driver_constraint_name(orig)
    table_name: str | None = None
    columns: tuple[str, ...] = ()
    if name == "PRIMARY":  # MariaDB/MySQL name every primary key PRIMARY
        name = _primary_key_name(metadata, error.statement) or name
    found = _lookup(metadata, name) if name else None
    if found:
        table_name, columns = found[0].name, found[1]
    elif name is None:
        name, table_name, columns = _sqlite_columns(metadata, text)
        if name is None and kind == "foreign_key":
            name, table_name, columns = _sqlite_foreign_key(metadata, error.statement)
    if name and name.startswith("uq_"):
        kind = "unique"
    elif name and name.startswith("fk_"):
        kind = "foreign_key"
    elif name and name.startswith("ck_"):
        kind = "check"
    described = name or (", ".join(columns) if columns else "a constraint")
    what = {
        "unique": "duplicate value violates",
        "foreign_key": "reference violates",
        "check": "value violates",
    }.get(kind, "write violates")
    message = f"{what} {described}"
    return IntegrityConflict(
        message, constraint=name, table=table_name, columns=columns, kind=kind, original=error
    )


def _log(level: int, message: str, *args: Any, **kwargs: Any) -> None:
    logger.log(level, message, *args, **kwargs)


def _quiet(level: int, message: str, *args: Any, **kwargs: Any) -> None:
    return None


def translate_error(
    error: BaseException, *, metadata: MetaData | None = None, log: bool = True, **context: Any
) -> BaseException:
    """The hierarchy's counterpart of ``error`` (or ``error`` itself), logged
    unless ``log=False`` (the caller logs it with its own context)."""
    translated: BaseException
    emit = _log if log else _quiet
    if isinstance(error, DatabaseError | NotFound | Conflict):
        return error
    if isinstance(error, sa_exc.DBAPIError) and _is_integrity_error(error):
        translated = integrity_conflict(error, metadata)
        emit(logging.INFO, "integrity conflict: %s", translated, extra={"db_context": context})
        return translated
    if isinstance(error, StaleDataError):
        translated = StaleVersionError(
            str(context.get("entity", "row")), context.get("id"), original=error
        )
        emit(logging.INFO, "stale version: %s", error, extra={"db_context": context})
        return translated
    if isinstance(error, sa_exc.DBAPIError) and is_serialization_failure(error):
        translated = SerializationConflict(original=error)
        emit(logging.INFO, "serialization conflict: %s", error.orig, extra={"db_context": context})
        return translated
    if (
        isinstance(error, sa_exc.StatementError)
        and not isinstance(error, sa_exc.DBAPIError)
        and isinstance(error.orig, ValueError | TypeError)
    ):  # raised by a type's bind processor, before the driver saw anything
        translated = InvalidValue(str(error.orig), original=error)
        emit(logging.INFO, "invalid value: %s", error.orig, extra={"db_context": context})
        return translated
    if isinstance(error, sa_exc.TimeoutError):
        translated = DatabaseUnavailable(
            "no database connection available in time (pool exhausted)",
            original=error,
            **context,
        )
    elif is_unavailable(error):
        translated = DatabaseUnavailable("the database is unavailable", original=error, **context)
    elif isinstance(error, sa_exc.SQLAlchemyError):
        translated = DatabaseError(
            f"database error: {type(error).__name__}", original=error, **context
        )
    else:
        return error
    emit(logging.ERROR, "%s", translated.args[0], exc_info=error, extra={"db_context": context})
    return translated
