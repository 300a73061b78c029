"""Errors a repository raises *before* any SQL runs.

They all derive from :class:`~shared_infrastructure.domain.query.InvalidQuery`
(a ``ValueError``), which the web layer maps to HTTP 422. Bad names are only
ever quoted back in the message with ``repr``; they never reach SQL.

Database failures (constraint violations, lost connections...) are not in
this module: they are translated by
:func:`shared_infrastructure.database.errors.translate_error` into
``IntegrityConflict``, ``DatabaseUnavailable``... and ``get_or_raise`` raises
:class:`shared_infrastructure.database.errors.NotFoundError`.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared_infrastructure.domain.query import InvalidQuery


class InvalidFilter(InvalidQuery):
    """A repository call was refused: bad filter key, lookup, value, ordering,
    cursor, or a bulk write without any filter. Nothing was executed."""


class UnknownField(InvalidFilter):
    """A name (filter, value, ordering) that is not a field of the model."""

    def __init__(self, entity: str, name: str, allowed: Iterable[str], *, key: str | None = None):
        allowed_list = ", ".join(sorted(allowed))
        where = f" (in {key!r})" if key is not None and key != name else ""
        super().__init__(
            f"{entity} has no field {name!r}{where}; allowed fields: {allowed_list}",
            field=key if key is not None else name,
        )
        self.entity = entity
        self.name = name
        self.allowed = tuple(sorted(allowed))


class UnknownLookup(InvalidFilter):
    """A ``field__lookup`` key whose lookup is not supported."""

    def __init__(self, key: str, lookup: str, allowed: Iterable[str]) -> None:
        allowed_list = ", ".join(sorted(allowed))
        super().__init__(
            f"unknown lookup {lookup!r} in {key!r}; allowed lookups: {allowed_list}",
            field=key,
        )
        self.lookup = lookup
        self.allowed = tuple(sorted(allowed))
