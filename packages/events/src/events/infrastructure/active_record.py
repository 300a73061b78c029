"""The script-style model: ``Event(...).save()``.

Design choice: the ``events`` table is mapped exactly once. ``EventRecord``
(the record the repository adapter persists aggregates into) extends the
shared ``BaseModel``, so it *is* the active record; ``Event`` here is only
the name scripts use for it. A second class on the same table (a second mapper
in the same registry, or single-table inheritance) would give one row two
Python identities in a session and two places to keep in sync.

Scripts therefore get the whole record (``Event.session.query(Event)``,
``save()``, ``delete()``, ``created``/``updated``); ``save()`` applies the
domain's field rules first and the table's CHECK constraints guard the
rest (end after start, capacity, seats within capacity). Registrations are
not part of this short path: register attendees through ``EventService``
so the capacity rule and ``seats_taken`` stay right.

    from events.infrastructure.active_record import Event
    from shared_infrastructure.database.helpers import transaction

    Event(id="ev_001", title="Jazz Festival 2025", description="Annual jazz festival",
          starts_at=..., ends_at=..., capacity=500).save()   # commits
    with transaction():                                        # one commit for both
        Event(id="ev_002", title="Event 2", ...).save()          # flushes
        Event(id="ev_003", title="Event 3", ...).save()
"""

from __future__ import annotations

from events.infrastructure.records import EventRecord

Event = EventRecord

__all__ = ["Event"]
