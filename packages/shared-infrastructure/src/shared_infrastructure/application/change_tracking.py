"""Detect whether an aggregate changed since it was handed out.

Shared by the in-memory fakes and the SQLAlchemy unit of work, so both
agree on what "changed" means: any difference in the object graph's state
(child entities included), ignoring pending domain events.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

_IGNORED = frozenset({"_pending_events"})
# Compared by value, including subclasses (a ``str`` value object with
# ``__slots__ = ()`` must not collapse to its class name).
_ATOMS = (str, bytes, int, float, complex, Decimal, datetime, date, time, timedelta, UUID, Enum)


def fingerprint(value: Any) -> Any:
    """A comparable, hashable-enough snapshot of an object graph."""
    if value is None or isinstance(value, _ATOMS):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        items = [fingerprint(v) for v in value]
        if isinstance(value, set | frozenset):
            items.sort(key=repr)
        return (type(value).__name__, tuple(items))
    if isinstance(value, dict):
        return tuple(sorted((repr(k), fingerprint(v)) for k, v in value.items()))
    if hasattr(value, "__dict__") and not isinstance(value, type):
        state = {k: v for k, v in vars(value).items() if k not in _IGNORED}
        return (type(value).__name__, fingerprint(state))
    if hasattr(value, "__slots__") and not isinstance(value, type):
        slots = [s for s in getattr(value, "__slots__", ()) if hasattr(value, s)]
        return (type(value).__name__, tuple((s, fingerprint(getattr(value, s))) for s in slots))
    return value
