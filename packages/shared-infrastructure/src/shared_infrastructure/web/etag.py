"""Entity tags from an aggregate's version, and conditional requests as
RFC 9110 13.1 defines them.

Tags are strong (``"3"``). ``If-Match`` takes ``*`` or a list of tags and
uses strong comparison: a weak tag (``W/"3"``) never matches, so a request
that sends only weak tags fails its precondition (412) like a stale one.
``If-None-Match`` uses weak comparison (``W/"3"`` matches ``"3"``). A
header that is not a list of entity-tags at all is a client bug: 400.

The version a client expects reaches the use case as ``expected_version``
and is compared inside its transaction (``VersionMismatch``: 412), so a
change between the check and the write cannot slip through.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Header, HTTPException, status
from pydantic.json_schema import SkipJsonSchema

# A persisted aggregate's version starts at 1: asking for 0 always fails.
NEVER_MATCHES = 0
_ENTITY_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*')
_VERSION = re.compile(r"[0-9]{1,18}")
_TAG = r'(W/)?"[\x21\x23-\x7e]*"'
IF_MATCH_PATTERN = rf"^(\*|{_TAG}( *, *{_TAG})*)$"


def etag(version: int) -> str:
    return f'"{version}"'


@dataclass(frozen=True)
class EntityTag:
    opaque: str
    weak: bool = False


def parse_entity_tags(header: str) -> list[EntityTag] | None:
    """``*`` -> ``None``; otherwise the listed tags, or ``ValueError``."""
    if header.strip() == "*":
        return None
    tags = []
    for item in header.split(","):
        if not item.strip():
            continue  # RFC 9110 5.6.1: empty list elements are ignored
        match = _ENTITY_TAG.fullmatch(item)
        if match is None:
            raise ValueError("not an entity-tag")
        tags.append(EntityTag(match.group(2), weak=match.group(1) is not None))
    if not tags:
        raise ValueError("no entity-tag")
    return tags


def _strong_versions(tags: list[EntityTag]) -> frozenset[int]:
    return frozenset(
        int(tag.opaque) for tag in tags if not tag.weak and _VERSION.fullmatch(tag.opaque)
    )


@dataclass(frozen=True)
class IfMatch:
    """The versions ``If-Match`` accepts; ``None``: no condition (absent or ``*``)."""

    versions: frozenset[int] | None

    async def expected_version(self, current: Callable[[], Awaitable[int]]) -> int | None:
        """The version to hand to the use case. Several tags are resolved
        against the current version (read once more, in the use case, under
        its own check); none that can match gives :data:`NEVER_MATCHES`."""
        if self.versions is None:
            return None
        if len(self.versions) == 1:
            return next(iter(self.versions))
        if not self.versions:
            return NEVER_MATCHES
        version = await current()
        return version if version in self.versions else min(self.versions)


async def if_match(
    header: Annotated[
        str | SkipJsonSchema[None],
        Header(
            alias="If-Match",
            description='ETag(s) of the version you change, e.g. `"3"`; `*` for any',
            max_length=1024,
            # Documented, not enforced here: a malformed header is a 400.
            json_schema_extra={"pattern": IF_MATCH_PATTERN},
        ),
    ] = None,
) -> IfMatch:
    """FastAPI dependency reading ``If-Match`` (``async`` so that FastAPI
    does not hop to a worker thread for it)."""
    if header is None:
        return IfMatch(None)
    try:
        tags = parse_entity_tags(header)
    except ValueError:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            detail='If-Match must be "*" or a list of entity-tags, e.g. "3"',
        ) from None
    return IfMatch(None if tags is None else _strong_versions(tags))


def matches_if_none_match(header: str | None, version: int) -> bool:
    """Weak comparison, as RFC 9110 13.1.2 asks for ``If-None-Match``; an
    unreadable header is ignored (the full answer is always correct)."""
    if header is None:
        return False
    try:
        tags = parse_entity_tags(header)
    except ValueError:
        return False
    return tags is None or any(tag.opaque == str(version) for tag in tags)
