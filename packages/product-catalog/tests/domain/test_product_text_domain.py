"""Which characters catalog text refuses: exactly Unicode's controls (Cc)
and surrogates (Cs), whatever the plane."""

from __future__ import annotations

import sys
import unicodedata

from product_catalog.domain.text import has_control_characters


def test_exactly_controls_and_surrogates_are_found() -> None:
    wrong = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if has_control_characters(f"a{chr(code)}b")
        != (unicodedata.category(chr(code)) in ("Cc", "Cs"))
    ]
    assert wrong == []


def test_allowed_controls_pass_and_others_still_count() -> None:
    assert not has_control_characters("line\nbreak\ttab", allowed="\t\n\r")
    assert has_control_characters("line\nbreak\x00", allowed="\t\n\r")
    assert has_control_characters("\x85", allowed="\t\n\r")
    assert not has_control_characters("crème brûlée ☕ 🎷")
