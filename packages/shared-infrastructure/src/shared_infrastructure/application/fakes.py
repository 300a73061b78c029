"""In-memory fakes of the ports, for fast application tests (no database).

They behave like the SQL adapters where a use case could tell the
difference: reads return copies, nothing is visible before commit, a stale
version raises ``ConcurrencyConflict``, unique fields raise ``Conflict``,
and query specs are evaluated with the same semantics (including LIKE
escaping and keyset cursors).
"""

from __future__ import annotations

import copy
import fnmatch
import operator
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from shared_infrastructure.application.change_tracking import fingerprint
from shared_infrastructure.application.integration_events import (
    IntegrationEvent,
    PublishedLanguage,
    Subscription,
)
from shared_infrastructure.application.unit_of_work import UnitOfWork
from shared_infrastructure.domain.entity import AggregateRoot
from shared_infrastructure.domain.errors import ConcurrencyConflict, Conflict
from shared_infrastructure.domain.query import (
    LIKE_ESCAPE,
    Cursor,
    Filter,
    InvalidQuery,
    Op,
    Ordering,
    Page,
    QuerySpec,
    check_kind,
)
from shared_infrastructure.domain.repository import Repository

A = TypeVar("A", bound=AggregateRoot)  # type: ignore[type-arg]
I = TypeVar("I")  # noqa: E741

_COMPARISONS: dict[Op, Callable[[Any, Any], bool]] = {
    Op.EQ: operator.eq,
    Op.NE: operator.ne,
    Op.LT: operator.lt,
    Op.LE: operator.le,
    Op.GT: operator.gt,
    Op.GE: operator.ge,
}


def _resolve(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return getattr(obj, "value", obj) if hasattr(obj, "value") and hasattr(obj, "name") else obj


def _like(value: Any, filter_: Filter, case_insensitive: bool) -> bool:
    pattern = filter_.like_pattern()
    text = "" if value is None else str(value)
    if case_insensitive:
        pattern, text = pattern.lower(), text.lower()
    translated, escaping = [], False
    for char in pattern:
        if escaping:
            translated.append("[" + char + "]" if char in "*?[" else char)
            escaping = False
        elif char == LIKE_ESCAPE:
            escaping = True
        elif char == "%":
            translated.append("*")
        elif char == "_":
            translated.append("?")
        else:
            translated.append("[" + char + "]" if char in "*?[" else char)
    return fnmatch.fnmatchcase(text, "".join(translated))


def matches(obj: Any, filter_: Filter) -> bool:
    value = _resolve(obj, filter_.field)
    if filter_.op is Op.IS_NULL:
        return (value is None) is bool(filter_.value)
    if filter_.op is Op.IN:
        candidates = list(filter_.value)
        if value is not None:
            for candidate in candidates:
                check_kind(filter_.field, candidate, value)
        return value in candidates
    if filter_.op in (Op.LIKE, Op.ILIKE):
        return _like(value, filter_, case_insensitive=filter_.op is Op.ILIKE)
    if filter_.op in (Op.EQ, Op.NE) and filter_.value is None:
        return (value is None) is (filter_.op is Op.EQ)
    if filter_.value is None:
        raise InvalidQuery(
            f"'{filter_.op.value}' on {filter_.field!r} cannot compare with None; use is_null",
            field=filter_.field,
        )
    if value is None:
        return False
    check_kind(filter_.field, filter_.value, value)
    try:
        return _COMPARISONS[filter_.op](value, filter_.value)
    except TypeError:
        raise InvalidQuery(
            f"{filter_.field!r}: {filter_.value!r} is not a valid value", field=filter_.field
        ) from None


def apply_spec(
    items: Iterable[A],
    spec: QuerySpec,
    allowed_fields: frozenset[str] | None,
    id_field: str = "id",
) -> Page[A]:
    """Evaluate a query spec in Python, as the SQL adapters do in SQL
    (NULLs last in both directions, then the identity as the tie-breaker)."""
    for name in [f.field for f in spec.filters] + [o.field for o in spec.order_by]:
        if allowed_fields is not None and name not in allowed_fields:
            raise InvalidQuery(f"unknown field {name!r}", field=name)
    rows = [item for item in items if all(matches(item, f) for f in spec.filters)]
    ordering = [*spec.order_by, Ordering(id_field)]
    for order in reversed(ordering):  # stable sorts: the first ordering wins
        rows.sort(key=_key_for(order), reverse=order.descending)
    total = len(rows) if spec.with_total else None
    if spec.after is not None:
        cursor = Cursor.decode(spec.after, len(ordering))
        rows = [row for row in rows if _after(row, ordering, cursor.values)]
    else:
        rows = rows[spec.offset :]
    page = rows if spec.limit is None else rows[: spec.limit]
    next_cursor = None
    if spec.limit is not None and len(rows) > spec.limit and page:
        last = page[-1]
        next_cursor = Cursor(tuple(_resolve(last, o.field) for o in ordering)).encode()
    return Page(page, total=total, limit=spec.limit, offset=spec.offset, next_cursor=next_cursor)


def _key_for(order: Ordering) -> Callable[[Any], tuple[bool, Any]]:
    """NULLs last whichever the direction (``reverse=True`` flips the flag too)."""
    null_rank = order.descending  # ascending: (False, v) < (True, None)

    def key(item: Any) -> tuple[bool, Any]:
        value = _resolve(item, order.field)
        return ((not null_rank), None) if value is None else (null_rank, value)

    return key


def _after(row: Any, ordering: list[Ordering], values: tuple[Any, ...]) -> bool:
    """Whether ``row`` comes strictly after the cursor ``values``."""
    for order, boundary in zip(ordering, values, strict=True):
        value = _resolve(row, order.field)
        if value == boundary:
            continue
        if boundary is None:
            return False  # NULLs are last: the row's value comes before them
        if value is None:
            return True
        try:
            return bool(value < boundary) if order.descending else bool(value > boundary)
        except TypeError:
            raise InvalidQuery("cursor does not match this ordering", field="after") from None
    return False


def _stored_copy(aggregate: A) -> A:
    """What the "database" keeps: state only, never pending events."""
    stored = copy.deepcopy(aggregate)
    stored.pull_events()
    return stored


class InMemoryRepository(Repository[A, I], Generic[A, I]):
    """A repository over a dict shared by every unit of work of one test.

    ``storage`` plays the database: it holds committed aggregates only.
    """

    def __init__(
        self,
        uow: FakeUnitOfWork,
        storage: dict[Any, A],
        *,
        entity_name: str = "Aggregate",
        unique_fields: tuple[str, ...] = (),
        queryable_fields: frozenset[str] | None = None,
    ) -> None:
        self._uow = uow
        self._storage = storage
        self.entity_name = entity_name
        self._unique_fields = unique_fields
        self._queryable = queryable_fields
        self._loaded: dict[Any, tuple[A, Any]] = {}
        self._added: dict[Any, A] = {}
        self._removed: dict[Any, A] = {}
        uow.register(self)

    async def add(self, aggregate: A) -> None:
        self._added[aggregate.id] = aggregate
        self._uow.track(aggregate)

    async def get(self, identifier: I) -> A | None:
        if identifier in self._added:
            return self._added[identifier]
        if identifier in self._loaded:
            return self._loaded[identifier][0]
        stored = self._storage.get(identifier)
        if stored is None or identifier in self._removed:
            return None
        return self._hand_out(stored)

    async def remove(self, aggregate: A) -> None:
        self._added.pop(aggregate.id, None)
        self._removed[aggregate.id] = aggregate
        self._uow.track(aggregate)

    async def list(self, spec: QuerySpec | None = None) -> Page[A]:
        candidates = [
            self._loaded[key][0] if key in self._loaded else stored
            for key, stored in self._storage.items()
            if key not in self._removed
        ]
        page = apply_spec(candidates, spec or QuerySpec(), self._queryable)
        items = [item if item.id in self._loaded else self._hand_out(item) for item in page.items]
        return Page(items, page.total, page.limit, page.offset, page.next_cursor)

    def _hand_out(self, stored: A) -> A:
        aggregate = copy.deepcopy(stored)
        self._loaded[aggregate.id] = (aggregate, fingerprint(aggregate))
        self._uow.track(aggregate)
        return aggregate

    # -- called by FakeUnitOfWork -------------------------------------------
    def check(self) -> None:
        for key, (aggregate, _) in self._loaded.items():
            stored = self._storage.get(key)
            if stored is None or stored.version != aggregate.version:
                raise ConcurrencyConflict(self.entity_name, key, aggregate.version)
        for key, aggregate in self._added.items():
            if key in self._storage:
                raise Conflict(f"{self.entity_name} {key!r} already exists", field="id")
            for field in self._unique_fields:
                value = _resolve(aggregate, field)
                if any(
                    _resolve(other, field) == value
                    for other_key, other in self._storage.items()
                    if other_key not in self._removed
                ):
                    raise Conflict(
                        f"{self.entity_name} with {field} {value!r} already exists", field=field
                    )

    def apply(self) -> None:
        for key in self._removed:
            self._storage.pop(key, None)
        for key, (aggregate, before) in self._loaded.items():
            if key not in self._removed and fingerprint(aggregate) != before:
                aggregate.version += 1
                self._storage[key] = _stored_copy(aggregate)
        for key, aggregate in self._added.items():
            aggregate.version = getattr(aggregate, "version", 0) or 1
            self._storage[key] = _stored_copy(aggregate)
        self.reset()

    def reset(self) -> None:
        self._loaded.clear()
        self._added.clear()
        self._removed.clear()


class InMemoryOutbox:
    """Plays the outbox (and the bus) in application tests.

    Share one between the units of work of a test: each successful commit
    appends the integration events its use case produced to :attr:`events`,
    as the SQL unit of work writes them to ``messaging_outbox``.
    :meth:`deliver` hands them to subscriptions, once per consumer, as the
    relay and the inbox do.
    """

    def __init__(self) -> None:
        self.events: list[IntegrationEvent] = []
        self._applied: set[tuple[str, Any]] = set()

    def topics(self) -> list[str]:
        return [event.topic for event in self.events]

    async def deliver(self, subscriptions: Iterable[Subscription]) -> int:
        """Apply every recorded event to the matching subscriptions, in order
        (each at most once per consumer); how many applications ran."""
        applied = 0
        subscriptions = list(subscriptions)
        for event in list(self.events):
            for subscription in subscriptions:
                key = (subscription.key, event.id)
                if subscription.matches(event) and key not in self._applied:
                    await subscription.handler(event)
                    self._applied.add(key)
                    applied += 1
        return applied


class FakeUnitOfWork(UnitOfWork):
    """Counts commits, rollbacks and write-intent entries; repositories
    register themselves. With a ``published_language``, each commit records
    its integration events in ``outbox`` (one shared by the test, or its own).

    Subclass it per context and create the context's repositories in
    ``__init__`` with ``InMemoryRepository(self, storage, ...)``.
    """

    def __init__(
        self,
        *,
        published_language: PublishedLanguage | None = None,
        outbox: InMemoryOutbox | None = None,
    ) -> None:
        super().__init__(published_language=published_language)
        self.outbox = outbox if outbox is not None else InMemoryOutbox()
        self.commits = 0
        self.rollbacks = 0
        self.entered_for_writing = 0
        self.fail_next_commit: Exception | None = None
        self._repositories: list[InMemoryRepository[Any, Any]] = []

    def register(self, repository: InMemoryRepository[Any, Any]) -> None:
        self._repositories.append(repository)

    async def _begin(self, *, write_intent: bool) -> None:
        self.entered_for_writing += write_intent

    async def _commit(self) -> None:
        if self.fail_next_commit is not None:
            error, self.fail_next_commit = self.fail_next_commit, None
            raise error
        for repository in self._repositories:
            repository.check()
        published = self._integration_events()
        for repository in self._repositories:
            repository.apply()
        self.outbox.events.extend(published)
        self.commits += 1

    async def _rollback(self) -> None:
        for repository in self._repositories:
            repository.reset()
        self.rollbacks += 1
