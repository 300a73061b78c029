"""The generic repository on ORM models, async and sync.

Names
-----
- ``BaseRepository`` is the **async** repository
  (``await repo.get(1)``); ``AsyncBaseRepository`` is the same class.
- ``SyncBaseRepository`` is the sync twin for scripts and workers (the sync template's
  sync ``BaseRepository`` is also importable under that spelling from
  ``shared_infrastructure.database.repository.sync``).

Both take ``(model, session)`` and are generic over the model::

    repo = BaseRepository(User, session)

    class UserRepository(BaseRepository[User]):
        def __init__(self, session: AsyncSession) -> None:
            super().__init__(User, session)

Methods (sync: the same without ``await``)
------------------------------------------
==================================================  ==========================================
``create(**values)``                                add + flush; id and defaults loaded
``create_many(rows)``                               batched ``INSERT .. RETURNING``; instances in
                                                    the order of ``rows``, ids set
``insert_many(rows)``                               batched insert, nothing handed back (-> count)
``upsert(values, conflict_on=, update=)``           native upsert of one row -> instance
``upsert_many(rows, conflict_on=, update=)``        ``ON CONFLICT DO UPDATE`` (PostgreSQL, SQLite),
                                                    ``ON DUPLICATE KEY UPDATE`` (MariaDB)
``get(id)`` / ``get_or_raise(id)``                  by primary key, identity map first
``get_by(**filters)`` / ``get_by_or_raise(...)``    first match
``get_all(skip, limit)``                            a page of every row (ordered by key)
``filter(*conds, skip=, limit=, order_by=, **f)``   rows matching lookups
``count(**filters)`` / ``exists(**filters)``
``paginate(after=, limit=, order_by=, **filters)``  keyset pagination -> ``Page`` with
                                                    ``next_cursor``
``find(spec)``                                      a domain ``QuerySpec`` -> ``Page``
``update(id, **values)``                            -> instance or ``None``
``update_many(filters={...}, **values)``            one ``UPDATE`` -> rows matched
``delete(id, hard=False)``                          -> ``True`` / ``False``
``delete_many(*conds, hard=False, **filters)``      one ``DELETE`` -> rows affected
``restore(id)``                                     undo a soft delete
``execute(statement)``                              anything else, errors translated
==================================================  ==========================================

Filters are ``field=value`` or ``field__lookup=value`` (``lt lte gt gte ne in
not_in like ilike startswith endswith isnull``; see :mod:`.lookups`), domain
``Filter`` objects or SQLAlchemy boolean expressions. Unknown fields and
lookups raise :class:`UnknownField` / :class:`UnknownLookup` (both
:class:`InvalidFilter`, an ``InvalidQuery`` -> HTTP 422) before any SQL is
built; keys are never interpolated. ``like``/``ilike`` match the text
literally (``%`` and ``_`` escaped); wrap it in :class:`RawPattern` for
wildcards. Keyword names ``skip``, ``limit``, ``order_by``,
``include_deleted``, ``hard``, ``after``, ``with_total`` and (for
``update_many``) ``filters`` are the methods' own: filter a column with one of
these names through ``Filter(...)``.

Decisions
---------
- **Soft delete.** For ``SoftDeleteMixin`` models every read hides
  soft-deleted rows unless ``include_deleted=True`` (``AppSession`` does it
  for ORM statements; with any other session the repository adds
  ``deleted_at IS NULL`` itself, and ``get`` also hides a soft-deleted
  instance found in the identity map). ``delete``/``delete_many``
  soft-delete such models (the model chose to keep its rows); ``hard=True``
  removes rows, soft-deleted ones included; ``restore`` brings one back.
- **Bulk writes are statements, not flushes.** ``create_many`` is
  ``session.scalars(insert(Model).returning(Model), rows)`` (SQLAlchemy's
  insertmanyvalues: one statement per 1000-row batch); ``insert_many`` is
  ``session.execute(insert(Model), rows)``. On PostgreSQL both send
  ``INSERT ... SELECT ... FROM unnest(:col1, :col2, ...) WITH ORDINALITY``
  instead, one array per column and 10,000 rows per statement (about twice
  as fast), whenever the rows name the same fields, the column types travel
  as arrays and the Python-side defaults need no execution context (a
  ``SameAsColumn`` default, like ``updated_at``'s, copies the other array);
  otherwise they fall back to insertmanyvalues. ``update_many`` and
  ``delete_many`` are one statement, split only when an ``__in`` list is
  longer than the dialect takes (PostgreSQL uses ``= ANY(:array)`` for
  lists over 100 values instead). ``update_many`` refuses to run without a
  filter (use ``execute`` to touch every row) and bumps the ``VersionMixin``
  column like a flush would.
- **Order of ``create_many`` results** matches the input: by primary key when
  the rows carry it (or it is generated client-side), by the database key
  assigned in the input's order otherwise (``unnest ... ORDER BY
  ordinality`` or SQLAlchemy's ``sort_by_parameter_order`` on PostgreSQL and
  MariaDB; on SQLite, which has no batched ordered form, by sorting on the
  integer ROWID key SQLite assigns in VALUES order).
- **AppSession's soft-delete hook** runs on every ORM statement and costs a
  noticeable share of a primary-key load; the repository tells it to stand
  down (``include_deleted``) for models from which no soft-delete class is
  reachable, where its criteria could not change the result.
- **Upsert**: ``conflict_on`` names a unique column set (default: primary
  key) that every row carries; ``update=None`` updates every supplied column
  but the key, ``update=[]`` leaves existing rows unchanged. MariaDB's
  ``ON DUPLICATE KEY`` reacts to any unique key of the table. ``updated_at``
  moves and the version column is bumped on the update path.
- **Errors.** Database errors are translated by
  :func:`shared_infrastructure.database.errors.translate_error`
  (``IntegrityConflict`` naming the constraint, ``DatabaseUnavailable``...)
  and logged there with the call's context (operation, entity, attributes
  with secrets masked). ``get_or_raise``/``get_by_or_raise`` raise
  ``NotFoundError``. After a failed write the session's transaction must be
  rolled back, as with any SQLAlchemy session (``get_session()`` does it).
"""

from shared_infrastructure.database.repository.async_ import AsyncBaseRepository
from shared_infrastructure.database.repository.errors import (
    InvalidFilter,
    UnknownField,
    UnknownLookup,
)
from shared_infrastructure.database.repository.lookups import LOOKUPS, RawPattern
from shared_infrastructure.database.repository.sync import SyncBaseRepository

#: The async repository under its short name.
BaseRepository = AsyncBaseRepository

__all__ = [
    "LOOKUPS",
    "AsyncBaseRepository",
    "BaseRepository",
    "InvalidFilter",
    "RawPattern",
    "SyncBaseRepository",
    "UnknownField",
    "UnknownLookup",
]
