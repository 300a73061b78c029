"""Which characters catalog text may hold."""

from __future__ import annotations

import re

# Unicode categories Cc (C0, DEL, C1 controls) and Cs (surrogates), as one
# character class: a regex scan, where a per-character category lookup cost
# every product loaded from the database a visible share of a list request.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def has_control_characters(text: str, *, allowed: str = "") -> bool:
    """Control characters and lone surrogates: no database stores them all
    (PostgreSQL rejects NUL, every driver rejects surrogates), so text that
    holds one can be neither stored nor searched for."""
    if not allowed:
        return _CONTROL.search(text) is not None
    return any(match.group() not in allowed for match in _CONTROL.finditer(text))
