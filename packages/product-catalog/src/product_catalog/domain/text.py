"""Which characters catalog text may hold."""

from __future__ import annotations

import unicodedata


def has_control_characters(text: str, *, allowed: str = "") -> bool:
    """Control characters and lone surrogates: no database stores them all
    (PostgreSQL rejects NUL, every driver rejects surrogates), so text that
    holds one can be neither stored nor searched for."""
    return any(unicodedata.category(char) in ("Cc", "Cs") and char not in allowed for char in text)
